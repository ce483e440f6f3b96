package io.jenkins.plugins.mlops.trainer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.transformer.IdEmbedding;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Makes the model directory an MLflow Model: an {@code MLmodel} file with a {@code python_function}
 * flavour (the weights as NumPy {@code .npy} arrays in {@code data/}, described by {@code
 * data/network.json}, and the loader {@code code/mlops_mlp.py}, which needs only numpy and pandas)
 * and a {@code djl} flavour (DJL's {@code .params} file and {@code model-card.json}, for JVM
 * serving), the signature of the features as the training split typed them, an input example from
 * its first rows, and {@code python_env.yaml}, {@code conda.yaml} and {@code requirements.txt}. So
 * {@code mlflow.pyfunc.load_model("models:/name@champion")} and {@code mlflow models serve} work on
 * a registered version.
 */
final class MlflowModel {

  /** The loader module shipped in {@code code/}. */
  static final String LOADER = "mlops_mlp";

  /** The Python the environment files name; the loader runs on any Python 3 with numpy. */
  static final String PYTHON = "3.11";

  private static final ObjectMapper JSON = new ObjectMapper();

  private MlflowModel() {}

  /**
   * Writes the MLflow Model's files into {@code dir}, next to DJL's {@code parametersFile}.
   *
   * @param schema the training split's columns and DuckDB types
   * @param example the first rows of the training split, the features only, in feature order
   */
  static void write(
      Path dir,
      Block block,
      TrainerConfig config,
      Preprocessing prep,
      Map<String, String> schema,
      List<List<Object>> example,
      String parametersFile)
      throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path code = Files.createDirectories(dir.resolve("code"));
    Map<String, Object> network = network(data, block, config, prep, schema);
    JSON.writerWithDefaultPrettyPrinter()
        .writeValue(data.resolve("network.json").toFile(), network);
    try (InputStream in = MlflowModel.class.getResourceAsStream(LOADER + ".py")) {
      if (in == null) {
        throw new IOException("the trainer jar lacks " + LOADER + ".py");
      }
      Files.write(code.resolve(LOADER + ".py"), in.readAllBytes());
    }
    List<String> features = prep.features().stream().map(Preprocessing.Feature::name).toList();
    Map<String, Object> split = new LinkedHashMap<>();
    split.put("columns", features);
    split.put("data", example);
    JSON.writeValue(dir.resolve("input_example.json").toFile(), split);
    JSON.writerWithDefaultPrettyPrinter()
        .writeValue(
            dir.resolve("serving_input_example.json").toFile(), Map.of("dataframe_split", split));
    List<Map<String, Object>> inputs = new ArrayList<>();
    for (Preprocessing.Feature f : prep.features()) {
      inputs.add(column(f.name(), inputType(f, schema.get(f.name()), example, features)));
    }
    String outputs =
        JSON.writeValueAsString(List.of(column(prep.label(), (String) network.get("label_type"))));
    String requirements = "mlflow\nnumpy\npandas\n";
    Files.writeString(dir.resolve("requirements.txt"), requirements, StandardCharsets.UTF_8);
    Files.writeString(
        dir.resolve("python_env.yaml"),
        "python: \""
            + PYTHON
            + "\"\nbuild_dependencies:\n- pip\n- setuptools\n- wheel\ndependencies:\n"
            + "- -r requirements.txt\n",
        StandardCharsets.UTF_8);
    Files.writeString(
        dir.resolve("conda.yaml"),
        "channels:\n- conda-forge\ndependencies:\n- python="
            + PYTHON
            + "\n- pip\n- pip:\n  - mlflow\n  - numpy\n  - pandas\nname: mlflow-env\n",
        StandardCharsets.UTF_8);
    StringBuilder m = new StringBuilder();
    m.append("flavors:\n");
    m.append("  python_function:\n");
    m.append("    code: code\n");
    m.append("    data: data\n");
    m.append("    env:\n      conda: conda.yaml\n      virtualenv: python_env.yaml\n");
    m.append("    loader_module: ").append(LOADER).append('\n');
    m.append("    predict_fn: predict\n");
    m.append("    python_version: ").append(q(PYTHON)).append('\n');
    m.append("  djl:\n");
    m.append("    engine: PyTorch\n");
    m.append("    engine_version: ").append(q(Engine.getInstance().getVersion())).append('\n');
    m.append("    model_name: mlp\n");
    m.append("    parameters_file: ").append(q(parametersFile)).append('\n');
    m.append("    model_card: model-card.json\n");
    m.append("    task: ").append(q(prep.task())).append('\n');
    m.append("    input_width: ").append(prep.inputWidth()).append('\n');
    m.append("model_uuid: ").append(q(UUID.randomUUID().toString().replace("-", ""))).append('\n');
    m.append("saved_input_example_info:\n");
    m.append("  artifact_path: input_example.json\n");
    m.append("  pandas_orient: split\n");
    m.append("  serving_input_path: serving_input_example.json\n");
    m.append("  type: dataframe\n");
    m.append("signature:\n");
    m.append("  inputs: ").append(q(JSON.writeValueAsString(inputs))).append('\n');
    m.append("  outputs: ").append(q(outputs)).append('\n');
    m.append("  params: null\n");
    m.append("utc_time_created: ")
        .append(
            q(
                DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT)
                    .format(Instant.now().atOffset(ZoneOffset.UTC))))
        .append('\n');
    Files.writeString(dir.resolve("MLmodel"), m.toString(), StandardCharsets.UTF_8);
  }

  /** A YAML double-quoted scalar (JSON's string syntax is one). */
  private static String q(String text) throws IOException {
    return JSON.writeValueAsString(text);
  }

  private static Map<String, Object> column(String name, String type) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("type", type);
    c.put("name", name);
    c.put("required", true);
    return c;
  }

  /**
   * MLflow's type for a feature: {@code string} for text, {@code boolean}, {@code long} for whole
   * numbers ({@code double} when the example has a missing one, as pandas reads those), {@code
   * double} otherwise. MLflow converts int32 to long and float32 to double, not int64 to double.
   */
  private static String inputType(
      Preprocessing.Feature f, String duckType, List<List<Object>> example, List<String> names) {
    String t = duckType == null ? "VARCHAR" : duckType.toUpperCase(Locale.ROOT);
    if (t.equals("BOOLEAN")) {
      return "boolean";
    }
    if (!TabularData.isNumeric(t)) {
      return "string";
    }
    if (t.matches("DOUBLE|FLOAT|REAL|DECIMAL.*")) {
      return "double";
    }
    int at = names.indexOf(f.name());
    boolean missing = example.stream().anyMatch(row -> row.get(at) == null);
    return missing ? "double" : "long";
  }

  private static String labelType(Preprocessing prep, String duckType) {
    if (!prep.classification()) {
      return "double";
    }
    String t = duckType == null ? "VARCHAR" : duckType.toUpperCase(Locale.ROOT);
    if (t.equals("BOOLEAN")) {
      return "boolean";
    }
    if (TabularData.isNumeric(t)) {
      return t.matches("DOUBLE|FLOAT|REAL|DECIMAL.*") ? "double" : "long";
    }
    return "string";
  }

  /** {@code network.json}: the preprocessing and the layers, each weight in its own file. */
  private static Map<String, Object> network(
      Path data, Block block, TrainerConfig config, Preprocessing prep, Map<String, String> schema)
      throws IOException {
    String labelType = labelType(prep, schema.get(prep.label()));
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("format", 1);
    n.put("task", prep.task());
    n.put("label", prep.label());
    n.put("label_type", labelType);
    List<Object> classes = new ArrayList<>();
    for (String c : prep.classes()) {
      classes.add(
          switch (labelType) {
            case "long" -> Long.parseLong(c);
            case "double" -> Double.parseDouble(c);
            case "boolean" -> Boolean.parseBoolean(c);
            default -> c;
          });
    }
    n.put("classes", classes);
    n.put("label_mean", prep.labelMean());
    n.put("label_std", prep.labelStd());
    n.put("features", prep.features());
    List<String> embeddings = new ArrayList<>();
    List<Map<String, Object>> layers = new ArrayList<>();
    int index = 0;
    for (Pair<String, Block> child : ((SequentialBlock) block).getChildren()) {
      Block b = child.getValue();
      String prefix = "layer_" + index++ + "_";
      if (b instanceof ParallelBlock parallel) {
        for (Pair<String, Block> branch : parallel.getChildren()) {
          for (Pair<String, Parameter> p : branch.getValue().getParameters()) {
            String file = "embedding_" + embeddings.size() + ".npy";
            npy(data.resolve(file), p.getValue().getArray());
            embeddings.add(file);
          }
        }
      } else if (b instanceof Linear) {
        Map<String, Object> layer = new LinkedHashMap<>();
        layer.put("type", "linear");
        layer.put("weight", save(data, prefix, b, "weight"));
        layer.put("bias", save(data, prefix, b, "bias"));
        layers.add(layer);
      } else if (b instanceof BatchNorm) {
        Map<String, Object> layer = new LinkedHashMap<>();
        layer.put("type", "batch_norm");
        layer.put("gamma", save(data, prefix, b, "gamma"));
        layer.put("beta", save(data, prefix, b, "beta"));
        layer.put("mean", save(data, prefix, b, "runningMean"));
        layer.put("var", save(data, prefix, b, "runningVar"));
        layer.put("epsilon", 1e-5);
        layers.add(layer);
      } else if (b instanceof LambdaBlock) {
        Map<String, Object> layer = new LinkedHashMap<>();
        layer.put("type", config.activation());
        if (config.activation().equals("leaky_relu")) {
          layer.put("alpha", 0.01);
        }
        layers.add(layer);
      } else if (!(b instanceof ai.djl.nn.norm.Dropout) && !(b instanceof IdEmbedding)) {
        throw new IllegalStateException("no Python equivalent for the block " + b);
      }
    }
    n.put("embeddings", embeddings);
    n.put("layers", layers);
    return n;
  }

  private static String save(Path data, String prefix, Block b, String name) throws IOException {
    for (Pair<String, Parameter> p : b.getParameters()) {
      if (p.getKey().equals(name)) {
        String file = prefix + name + ".npy";
        npy(data.resolve(file), p.getValue().getArray());
        return file;
      }
    }
    throw new IllegalStateException(b + " has no parameter " + name);
  }

  /** NumPy's {@code .npy} format, version 1.0: little-endian float32 in C order. */
  static void npy(Path file, NDArray array) throws IOException {
    float[] values = array.toFloatArray();
    long[] shape = array.getShape().getShape();
    StringBuilder dims = new StringBuilder();
    for (long d : shape) {
      dims.append(d).append(", ");
    }
    String shapeText =
        shape.length == 1
            ? "(" + shape[0] + ",)"
            : "(" + dims.substring(0, dims.length() - 2) + ")";
    String header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeText + ", }";
    int total = 10 + header.length() + 1;
    int padded = (total + 63) / 64 * 64;
    header = header + " ".repeat(padded - total) + "\n";
    ByteBuffer buffer =
        ByteBuffer.allocate(10 + header.length() + 4 * values.length)
            .order(ByteOrder.LITTLE_ENDIAN);
    buffer.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII));
    buffer.put((byte) 1).put((byte) 0).putShort((short) header.length());
    buffer.put(header.getBytes(StandardCharsets.US_ASCII));
    for (float v : values) {
      buffer.putFloat(v);
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(buffer.array());
    }
  }
}
