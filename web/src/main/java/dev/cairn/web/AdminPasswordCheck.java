package dev.cairn.web;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/**
 * Refuses to start the HTTP API when {@code CAIRN_ADMIN_PASSWORD} is unset.
 * server.xml takes the admin password from that variable; unset, Liberty
 * would keep the literal placeholder text as the password, which anyone who
 * has read the configuration could type. Better no API than that one.
 */
@WebListener
public class AdminPasswordCheck implements ServletContextListener {

    static final String VARIABLE = "CAIRN_ADMIN_PASSWORD";

    @Override
    public void contextInitialized(ServletContextEvent event) {
        String password = System.getenv(VARIABLE);
        if (password == null || password.isBlank()) {
            throw new IllegalStateException(VARIABLE + " is not set: the Cairn HTTP API will not start. "
                    + "Set it in the server's environment (for example export " + VARIABLE
                    + "=...) or in its server.env, then restart the server.");
        }
    }
}
