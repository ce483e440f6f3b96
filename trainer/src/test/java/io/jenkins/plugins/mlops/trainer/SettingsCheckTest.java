package io.jenkins.plugins.mlops.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --check}: the settings and the data's columns, without training. */
class SettingsCheckTest {

  @TempDir Path work;
  private Path data;

  private record Outcome(int status, String out, String err) {}

  @BeforeEach
  void prepare() throws Exception {
    data = Files.createDirectories(work.resolve("data"));
    Files.write(data.resolve("train.csv"), List.of("x,y,label", "1,2,a", "2,3,b", "3,1,a"));
  }

  private Outcome check(Map<String, String> extraEnv, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of("--check"));
    all.addAll(List.of(args));
    Map<String, String> env = new LinkedHashMap<>(extraEnv);
    env.put("MLOPS_DATA_DIR", data.toString());
    env.put("MLOPS_OUTPUT_DIR", work.resolve("out").toString());
    int status =
        TrainerMain.run(
            all,
            env,
            work,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Outcome(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void goodSettingsPassWithoutTraining() {
    Outcome o = check(Map.of(), "--label", "label", "--epochs", "3");

    assertEquals(0, o.status(), o.err());
    assertTrue(o.out().contains("fine (label label)"), o.out());
    assertFalse(Files.exists(work.resolve("out")), "nothing was trained or written");
  }

  @Test
  void aMisspeltSettingIsNamedAsTheArgumentWasWrittenWithTheNearestName() {
    // a launcher passes every hyperparameter as --name value and as MLOPS_PARAM_<NAME>
    Outcome o = check(Map.of("MLOPS_PARAM_EPOCH", "3"), "--label", "label", "--epoch", "3");

    assertEquals(2, o.status(), o.err());
    assertTrue(
        o.err().contains("--epoch is not a setting of the trainer; did you mean 'epochs'?"),
        o.err());
    assertFalse(o.err().contains("MLOPS_PARAM_EPOCH"), o.err());
  }

  @Test
  void anUnknownLabelIsNamedWithTheNearestColumn() {
    Outcome o = check(Map.of(), "--label", "lable");

    assertEquals(2, o.status(), o.err());
    assertTrue(
        o.err()
            .contains(
                "--label (lable) is not a column of the training split; did you mean"
                    + " 'label'?"),
        o.err());
  }

  @Test
  void aMissingLabelWithoutAManifestIsRequired() {
    Outcome o = check(Map.of());

    assertEquals(2, o.status(), o.err());
    assertTrue(o.err().contains("--label is required"), o.err());
  }
}
