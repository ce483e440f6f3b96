package io.jenkins.plugins.mlops.steps.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.harness.ProcessResult;
import io.jenkins.plugins.mlops.harness.PythonEnvironment;
import io.jenkins.plugins.mlops.steps.data.DataChecks;
import io.jenkins.plugins.mlops.steps.data.DatasetPreparer;
import io.jenkins.plugins.mlops.steps.data.PrepareSpec;
import io.jenkins.plugins.mlops.steps.data.Split;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/training/pytorch_ddp.py}: PyTorch is not in the pinned Python set, so its syntax
 * is compiled and its contract helpers run without it, on data {@code mlops prepare} wrote.
 */
class PyTorchExampleIT {

  private static final Path SCRIPT =
      Path.of(System.getProperty("mlops.repoRoot", ".."))
          .toAbsolutePath()
          .normalize()
          .resolve("examples/training/pytorch_ddp.py");

  @TempDir Path work;

  private ProcessResult python(String code, Path data) {
    ProcessBuilder builder =
        PythonEnvironment.shared()
            .processBuilder(
                List.of(
                    PythonEnvironment.shared().python().toString(),
                    "-c",
                    "import sys; sys.path.insert(0, sys.argv[1]); import pytorch_ddp as m\n" + code,
                    SCRIPT.getParent().toString(),
                    data.toString()));
    builder.environment().put("MLOPS_PARAM_EPOCHS", "3");
    builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    return io.jenkins.plugins.mlops.harness.internal.Processes.run(builder, Duration.ofMinutes(2));
  }

  @Test
  void theScriptCompilesImportsWithoutPyTorchAndReadsOnlyVerifiedManifestFiles() throws Exception {
    // compiled in memory: no __pycache__ left next to the example
    PythonEnvironment.shared()
        .runPython(
            Duration.ofMinutes(1),
            "-c",
            "import sys; compile(open(sys.argv[1]).read(), sys.argv[1], 'exec')",
            SCRIPT.toString())
        .requireSuccess();
    String source = Files.readString(SCRIPT);
    for (String part :
        List.of(
            "MLOPS_DATA_DIR",
            "MLOPS_LOGDIR",
            "MLOPS_OUTPUT_DIR",
            "MLOPS_CHECKPOINT_DIR",
            "MLOPS_PARAM_",
            "metrics.json",
            "init_process_group",
            "DistributedDataParallel")) {
      assertTrue(source.contains(part), "the script uses " + part);
    }
    Path csv = work.resolve("digits.csv");
    try (InputStream in =
        getClass().getResourceAsStream("/io/jenkins/plugins/mlops/steps/demo/digits.csv")) {
      Files.copy(in, csv);
    }
    Path data = work.resolve("prepared");
    DatasetPreparer.prepare(
        PrepareSpec.builder()
            .addInput(csv.toString())
            .setOutput(data)
            .optLabel("digit")
            .optStratify(true)
            .setSplits(Split.parse("train=0.7,validation=0.15,test=0.15"))
            .optChecks(DataChecks.NONE)
            .build(),
        work,
        line -> {});

    ProcessResult read =
        python(
            "import json\n"
                + "a = m.arguments([])\n"
                + "manifest, splits = m.load_splits(sys.argv[2])\n"
                + "m.write_atomically(sys.argv[2] + '/../out.json', json.dumps({'ok': 1}))\n"
                + "print(json.dumps({'epochs': a.epochs, 'label': manifest['label'],"
                + " 'rows': {k: len(v) for k, v in splits.items()},"
                + " 'torch': 'torch' in sys.modules}))",
            data);

    assertEquals(0, read.exitCode(), read.stderr());
    JsonNode got =
        new ObjectMapper().readTree(read.stdout().strip().lines().reduce((x, y) -> y).get());
    assertEquals(3, got.get("epochs").asInt(), "MLOPS_PARAM_EPOCHS: " + got);
    assertEquals("digit", got.get("label").asText());
    JsonNode manifest = new ObjectMapper().readTree(data.resolve("manifest.json").toFile());
    assertEquals(manifest.get("rows"), got.get("rows"), "every listed split, every row");
    assertEquals(false, got.get("torch").asBoolean(), "the helpers need no PyTorch");
    assertTrue(Files.isRegularFile(work.resolve("out.json")));
    try (var files = Files.list(work)) {
      assertTrue(files.noneMatch(f -> f.toString().endsWith(".tmp")), "no temporary file left");
    }
    assertTrue(
        !Files.exists(SCRIPT.getParent().resolve("__pycache__")), "nothing left in examples");

    // An edited split is refused, naming the file; a bad setting is a usage error.
    Files.writeString(data.resolve("test.parquet"), "not the prepared bytes");
    ProcessResult tampered = python("m.load_splits(sys.argv[2])", data);
    ProcessResult badEpochs = python("m.arguments(['--epochs', '0'])", data);

    assertEquals(1, tampered.exitCode(), tampered.stderr());
    assertTrue(
        tampered.stderr().contains("test.parquet is not the file the manifest describes"),
        tampered.stderr());
    assertEquals(2, badEpochs.exitCode());
    assertTrue(badEpochs.stderr().contains("--epochs (0) must be at least 1"), badEpochs.stderr());
  }
}
