package dev.cairn.api;

import java.io.Serializable;
import java.util.Map;

/**
 * A store's figures (the names {@link CairnConnectionFactory#statistics()}
 * gives) as they were at {@code timeMillis} (milliseconds since the epoch).
 */
public record FigureSample(long timeMillis, Map<String, Long> figures) implements Serializable {

    public FigureSample {
        figures = Map.copyOf(figures);
    }
}
