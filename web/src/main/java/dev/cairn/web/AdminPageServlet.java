package dev.cairn.web;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Serves the admin page's files ({@code /admin/}: index.html, admin.js,
 * admin.css, cairn.svg) from the web application, in place of the container's file
 * servlet, so that every path of Cairn's context root is one of Cairn's
 * servlets and answers as they do (a JSON 404, TRACE refused by
 * {@link MethodFilter} without a logged stack trace).
 */
@WebServlet("/admin/*")
public class AdminPageServlet extends CairnServlet {

    private static final long serialVersionUID = 1L;

    private static final Map<String, String> FILES = Map.of(
            "/", "text/html;charset=UTF-8",
            "/index.html", "text/html;charset=UTF-8",
            "/admin.js", "text/javascript;charset=UTF-8",
            "/admin.css", "text/css;charset=UTF-8",
            "/cairn.svg", "image/svg+xml"); // the icon of Cairn's tool in Admin Center

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (req.getPathInfo() == null) {
            resp.sendRedirect(req.getRequestURI() + "/"); // the page's relative links need the slash
            return;
        }
        String file = req.getPathInfo();
        String type = FILES.get(file);
        if (type == null) {
            ErrorMapping.clientError(resp, 404, "not_found", "no resource at " + req.getRequestURI());
            return;
        }
        try (InputStream in = getServletContext().getResourceAsStream("/admin" + (file.equals("/") ? "/index.html" : file))) {
            if (in == null) {
                ErrorMapping.clientError(resp, 404, "not_found", "no resource at " + req.getRequestURI());
                return;
            }
            resp.setContentType(type);
            resp.setHeader("Cache-Control", "no-cache");
            in.transferTo(resp.getOutputStream());
        }
    }
}
