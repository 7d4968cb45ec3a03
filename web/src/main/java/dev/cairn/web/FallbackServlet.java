package dev.cairn.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Answers every API path no other servlet serves with a JSON 404, and renders
 * the container's own errors (web.xml error pages) as JSON, so no client ever
 * gets an HTML error page or a stack trace. Other paths go to the container's
 * static files (the admin page), whose 404 comes back here as an error page.
 */
@WebServlet(urlPatterns = {"/api/*", "/error"})
public class FallbackServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Object status = req.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        if (status instanceof Integer code) {
            Object thrown = req.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
            if (thrown instanceof Throwable t) {
                ErrorMapping.send(resp, t);
            } else {
                JsonResponses.error(resp, code, code == 405 ? "method_not_allowed" : "http_" + code,
                        code == 405 ? req.getMethod() + " is not allowed here" : "request failed with status " + code);
            }
            return;
        }
        JsonResponses.error(resp, 404, "not_found", "no resource at " + req.getRequestURI());
    }
}
