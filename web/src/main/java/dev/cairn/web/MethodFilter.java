package dev.cairn.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which methods each of Cairn's paths takes. {@code OPTIONS} is answered
 * here ({@code 204} with {@code Allow}); any other method the path does not
 * take is {@code 405} with {@code Allow} and a JSON body, so that no method
 * falls through to the servlet container's defaults ({@code TRACE} would
 * echo the request, credentials included). web.xml's security constraints
 * name the methods that read or change data; the ones they leave uncovered
 * (OPTIONS, TRACE, PATCH...) never get past this filter, so they need no
 * credentials and reveal nothing but the methods.
 */
@WebFilter(urlPatterns = "/*")
public class MethodFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;

    private static final Set<String> READ = Set.of("GET", "HEAD", "OPTIONS");

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
            throws IOException, ServletException {
        if (req.getDispatcherType() != jakarta.servlet.DispatcherType.REQUEST) {
            chain.doFilter(req, resp);
            return;
        }
        Set<String> allowed = allowed(ObjectKeys.rawPath(req).substring(req.getContextPath().length()));
        String method = req.getMethod();
        if (allowed.contains(method) && !method.equals("OPTIONS")) {
            chain.doFilter(req, resp);
            return;
        }
        resp.setHeader("Allow", String.join(", ", new TreeSet<>(allowed)));
        if (method.equals("OPTIONS")) {
            resp.setStatus(204);
            return;
        }
        ErrorMapping.clientError(resp, 405, "method_not_allowed",
                method + " is not allowed on " + req.getRequestURI() + "; allowed: " + resp.getHeader("Allow"));
    }

    /** The methods {@code path} (after the context root, still encoded) takes. */
    static Set<String> allowed(String path) {
        if (path.equals("/api/objects")) {
            return READ;
        }
        if (path.startsWith("/api/objects/")) {
            return Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS");
        }
        if (path.equals("/api/batch")) {
            return Set.of("POST", "OPTIONS");
        }
        if (path.equals("/api/snapshots") || path.equals("/api/snapshots/")) {
            return Set.of("GET", "HEAD", "POST", "OPTIONS");
        }
        if (path.startsWith("/api/snapshots/")) {
            if (path.indexOf("/objects/", "/api/snapshots/".length()) >= 0) {
                return READ;
            }
            return path.endsWith("/stream") && path.indexOf('/', "/api/snapshots/".length()) == path.length() - "/stream".length()
                    ? READ : Set.of("DELETE", "OPTIONS");
        }
        if (path.equals("/api/admin/sync") || path.equals("/api/admin/check") || path.equals("/api/admin/compress")
                || path.equals("/api/admin/receive")) {
            return Set.of("POST", "OPTIONS");
        }
        if (path.startsWith("/api/admin/") && !path.equals("/api/admin/stats") && !path.equals("/api/admin/history")) {
            return Set.of("GET", "HEAD", "POST", "OPTIONS"); // no such resource: the servlet answers 404
        }
        return READ; // the figures, the admin page, and paths that answer 404
    }
}
