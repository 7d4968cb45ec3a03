package dev.cairn.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.TreeSet;

/**
 * Answers every API path no other servlet serves with a JSON 404, and renders
 * the container's own errors (web.xml error pages) as JSON, so no client ever
 * gets an HTML error page or a stack trace. Other paths go to the container's
 * static files (the admin page), whose 404 comes back here as an error page.
 */
@WebServlet(urlPatterns = {"/api/*", "/error", "/"})
public class FallbackServlet extends CairnServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Object status = req.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        if (status instanceof Integer code) {
            if (req.getMethod().equals("TRACE")) {
                // Liberty's security refuses TRACE to a servlet of its own (the admin page's files).
                resp.setHeader("Allow", String.join(", ", new TreeSet<>(MethodFilter.allowed(
                        String.valueOf(req.getAttribute(RequestDispatcher.ERROR_REQUEST_URI)).substring(req.getContextPath().length())))));
                ErrorMapping.clientError(resp, 405, "method_not_allowed", "TRACE is not allowed");
                return;
            }
            Object thrown = req.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
            // A 4xx is the request's fault whatever the container threw for it (its security
            // answers 401 and 403 with an exception); a 5xx is looked at as Cairn's errors are.
            if (thrown instanceof Throwable t && code >= 500) {
                ErrorMapping.send(resp, t);
            } else {
                ErrorMapping.clientError(resp, code, codeName(code), explanation(code, req));
            }
            return;
        }
        JsonResponses.error(resp, 404, "not_found", "no resource at " + req.getRequestURI());
    }

    private static String codeName(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            default -> "http_" + status;
        };
    }

    private static String explanation(int status, HttpServletRequest req) {
        Object uri = req.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        return switch (status) {
            case 400 -> "the server could not read the request" + (uri == null ? "" : " for " + uri)
                    + ": check its path's percent-escapes (two hex digits after each %) and its headers";
            case 401 -> "this needs credentials: HTTP Basic, a user of the server's registry";
            case 403 -> "the user lacks the role this request needs (reader reads, writer writes, admin administers)";
            case 404 -> "no resource at " + uri;
            case 405 -> req.getMethod() + " is not allowed here";
            default -> "the request failed with status " + status;
        };
    }
}
