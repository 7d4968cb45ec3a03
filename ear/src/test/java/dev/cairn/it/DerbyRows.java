package dev.cairn.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/** A table of (key, value) rows in the test servers' Derby database, through the server's XA data source. */
final class DerbyRows {

    private final DataSource ds;

    DerbyRows(DataSource ds) {
        this.ds = ds;
    }

    void createTable() throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.createStatement().executeUpdate("CREATE TABLE xa_rows (k VARCHAR(200) PRIMARY KEY, v VARCHAR(200))");
        } catch (SQLException e) {
            if (!"X0Y32".equals(e.getSQLState())) { // the table exists already
                throw e;
            }
        }
    }

    void insert(String key, String value) throws SQLException {
        try (Connection c = ds.getConnection();
                PreparedStatement s = c.prepareStatement("INSERT INTO xa_rows (k, v) VALUES (?, ?)")) {
            s.setString(1, key);
            s.setString(2, value);
            s.executeUpdate();
        }
    }

    String value(String key) throws SQLException {
        try (Connection c = ds.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT v FROM xa_rows WHERE k = ?")) {
            s.setString(1, key);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }
}
