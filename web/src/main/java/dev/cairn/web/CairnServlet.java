package dev.cairn.web;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * What every Cairn servlet shares. It declares its own {@code doTrace}:
 * Liberty's security refuses a TRACE bound for a servlet that keeps
 * {@code HttpServlet}'s echoing default, logging the refusal with a stack
 * trace, error page dispatch included; with this, {@link MethodFilter}
 * answers TRACE 405 like any method a path does not take.
 */
abstract class CairnServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doTrace(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        ErrorMapping.clientError(resp, 405, "method_not_allowed", "TRACE is not allowed");
    }
}
