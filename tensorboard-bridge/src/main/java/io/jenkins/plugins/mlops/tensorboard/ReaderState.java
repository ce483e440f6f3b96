package io.jenkins.plugins.mlops.tensorboard;

import java.util.HashMap;
import java.util.Map;

/**
 * Everything a {@link LogDirReader} needs to resume exactly where another stopped: how far each
 * file was read, and the plugin each tag of each run was declared with (writers declare it only on
 * a tag's first value, which a resumed reader does not see again). JSON-serializable.
 *
 * @param positions file key (path relative to the log directory) to position
 * @param plugins run to tag to plugin name
 */
public record ReaderState(
    Map<String, FilePosition> positions, Map<String, Map<String, String>> plugins) {

  /** Nothing read yet. */
  public static final ReaderState EMPTY = new ReaderState(Map.of(), Map.of());

  public ReaderState {
    positions = Map.copyOf(positions);
    Map<String, Map<String, String>> copy = new HashMap<>();
    plugins.forEach((run, tags) -> copy.put(run, Map.copyOf(tags)));
    plugins = Map.copyOf(copy);
  }
}
