package io.jenkins.plugins.mlops.trainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The prepared splits as feature matrices: read with DuckDB (Parquet or CSV, {@code train}
 * required, {@code validation} and {@code test} optional), checked, and encoded by a {@link
 * Preprocessing} computed on the training split.
 */
final class TabularData {

  static final List<String> SPLITS = List.of("train", "validation", "test");

  /** One split: {@code rows} x {@code width} features (row-major) and one label per row. */
  record Split(String name, Path file, int rows, int width, float[] features, float[] labels) {}

  private final Preprocessing preprocessing;
  private final Map<String, Split> splits;
  private final String fingerprint;
  private final Map<String, String> schema;
  private final List<List<Object>> example;

  private TabularData(
      Preprocessing preprocessing,
      Map<String, Split> splits,
      String fingerprint,
      Map<String, String> schema,
      List<List<Object>> example) {
    this.preprocessing = preprocessing;
    this.splits = splits;
    this.fingerprint = fingerprint;
    this.schema = Map.copyOf(schema);
    this.example = List.copyOf(example);
  }

  /** The training split's columns and their DuckDB types. */
  Map<String, String> schema() {
    return schema;
  }

  /** The features of the training split's first rows (at most 5), in feature order. */
  List<List<Object>> example() {
    return example;
  }

  Preprocessing preprocessing() {
    return preprocessing;
  }

  /** The split, or null when the data directory has none of that name. */
  Split split(String name) {
    return splits.get(name);
  }

  /** The prepared data's content fingerprint from {@code manifest.json}, or null without one. */
  String fingerprint() {
    return fingerprint;
  }

  /**
   * Checks what can be checked without reading the rows: the manifest's files and digests, that the
   * label and the named features are columns of the training split, and that a monitored validation
   * metric has a validation split ({@code --check}, before an MLflow run is made).
   */
  static void check(TrainerConfig config, Consumer<String> console) {
    Map<String, Path> files = files(config.dataDir(), console);
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement sql = db.createStatement()) {
      views(sql, Map.of("train", files.get("train")));
      checkColumns(config, schema(sql, "train"));
    } catch (SQLException e) {
      throw new IllegalArgumentException(
          "the training split "
              + files.get("train")
              + " could not be read: "
              + e.getMessage().replace('\n', ' '),
          e);
    }
    if (config.earlyStoppingPatience() > 0
        && !config.earlyStoppingMetric().startsWith("train_")
        && !files.containsKey("validation")) {
      throw new IllegalArgumentException(
          "--early_stopping_metric ("
              + config.earlyStoppingMetric()
              + ") needs a validation split; prepare one or monitor a train_ metric");
    }
  }

  private static Map<String, Path> files(Path dir, Consumer<String> console) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          "data_dir (" + dir + ") is not a directory; give the output directory of mlops prepare");
    }
    DataManifest manifest = DataManifest.read(dir);
    Map<String, Path> files = manifest == null ? scan(dir) : listed(dir, manifest, console);
    if (!files.containsKey("train")) {
      throw new IllegalArgumentException(
          manifest == null
              ? "data_dir ("
                  + dir
                  + ") has no train.parquet or train.csv; give the output of mlops prepare"
              : dir.resolve(DataManifest.FILE)
                  + " lists no train split (it lists "
                  + manifest.files().keySet()
                  + "); the trainer needs one");
    }
    return files;
  }

  private static void views(Statement sql, Map<String, Path> files) throws SQLException {
    for (Map.Entry<String, Path> f : files.entrySet()) {
      String path = "'" + f.getValue().toString().replace("'", "''") + "'";
      String reader =
          f.getValue().toString().endsWith(".csv")
              ? "read_csv(" + path + ", header = true)"
              : "read_parquet(" + path + ")";
      sql.execute("CREATE VIEW " + f.getKey() + " AS SELECT * FROM " + reader);
    }
  }

  static TabularData load(TrainerConfig config, Consumer<String> console) {
    Path dir = config.dataDir();
    DataManifest manifest = DataManifest.read(dir);
    Map<String, Path> files = files(dir, console);
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement sql = db.createStatement()) {
      views(sql, files);
      Map<String, String> schema = schema(sql, "train");
      Preprocessing prep = fit(sql, config, schema, console);
      Map<String, Split> splits = new LinkedHashMap<>();
      for (Map.Entry<String, Path> f : files.entrySet()) {
        splits.put(f.getKey(), encode(sql, prep, f.getKey(), f.getValue(), schema, console));
      }
      return new TabularData(
          prep,
          splits,
          manifest == null ? null : manifest.fingerprint(),
          schema,
          example(sql, prep));
    } catch (SQLException e) {
      throw new IllegalArgumentException(
          "the splits in " + dir + " could not be read: " + e.getMessage().replace('\n', ' '), e);
    }
  }

  private static List<List<Object>> example(Statement sql, Preprocessing prep) throws SQLException {
    List<String> columns = prep.features().stream().map(f -> id(f.name())).toList();
    List<List<Object>> rows = new ArrayList<>();
    try (ResultSet r =
        sql.executeQuery("SELECT " + String.join(", ", columns) + " FROM train LIMIT 5")) {
      while (r.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= columns.size(); i++) {
          Object v = r.getObject(i);
          row.add(
              v == null || v instanceof String || v instanceof Boolean
                  ? v
                  : v instanceof java.math.BigDecimal d
                      ? (Object) d.doubleValue()
                      : v instanceof Number ? v : v.toString());
        }
        rows.add(row);
      }
    }
    return rows;
  }

  /** Without a manifest: {@code train}, {@code validation}, {@code test} as Parquet or CSV. */
  private static Map<String, Path> scan(Path dir) {
    Map<String, Path> files = new LinkedHashMap<>();
    for (String name : SPLITS) {
      for (String ext : List.of("parquet", "csv")) {
        Path f = dir.resolve(name + "." + ext);
        if (Files.isRegularFile(f) && !files.containsKey(name)) {
          files.put(name, f);
        }
      }
    }
    return files;
  }

  /**
   * With a manifest: exactly the files it lists for the trainer's splits, each checked against its
   * SHA-256; any other file in the directory is ignored.
   */
  private static Map<String, Path> listed(
      Path dir, DataManifest manifest, Consumer<String> console) {
    Map<String, Path> files = new LinkedHashMap<>();
    for (String name : SPLITS) {
      Path f = manifest.verifiedFile(dir, name);
      if (f != null) {
        files.put(name, f);
      }
    }
    List<String> others =
        manifest.files().keySet().stream().filter(k -> !SPLITS.contains(k)).toList();
    if (!others.isEmpty()) {
      console.accept(
          "trainer: the manifest's splits "
              + others
              + " are not train, validation or test; they are not used");
    }
    return files;
  }

  private static Map<String, String> schema(Statement sql, String view) throws SQLException {
    Map<String, String> columns = new LinkedHashMap<>();
    try (ResultSet r = sql.executeQuery("DESCRIBE " + view)) {
      while (r.next()) {
        columns.put(r.getString("column_name"), r.getString("column_type"));
      }
    }
    return columns;
  }

  static boolean isNumeric(String type) {
    String t = type.toUpperCase(Locale.ROOT);
    return t.matches(
        "(TINY|SMALL|BIG|HUGE|U)?INT.*|INTEGER|U(TINY|SMALL|BIG|HUGE)INT|UINTEGER|DOUBLE|FLOAT|REAL"
            + "|DECIMAL.*");
  }

  private static boolean isInteger(String type) {
    return isNumeric(type) && !type.toUpperCase(Locale.ROOT).matches("DOUBLE|FLOAT|REAL|DECIMAL.*");
  }

  private static String id(String column) {
    return "\"" + column.replace("\"", "\"\"") + "\"";
  }

  private static String lit(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  private static void require(String option, String column, Map<String, String> schema) {
    if (!schema.containsKey(column)) {
      String nearest = null;
      for (String c : schema.keySet()) {
        if (c.equalsIgnoreCase(column)) {
          nearest = c;
        }
      }
      if (nearest == null) {
        nearest = Hyperparameters.nearest(column, schema.keySet());
      }
      throw new IllegalArgumentException(
          option
              + " ("
              + column
              + ") is not a column of the training split"
              + (nearest == null ? "" : "; did you mean '" + nearest + "'?")
              + " Columns: "
              + String.join(", ", schema.keySet()));
    }
  }

  /** The feature columns, once the label and the named columns are known to exist. */
  private static List<String> checkColumns(TrainerConfig config, Map<String, String> schema) {
    String label = config.label();
    require("--label", label, schema);
    List<String> names = new ArrayList<>(config.features());
    if (names.isEmpty()) {
      schema.keySet().stream().filter(c -> !c.equals(label)).forEach(names::add);
    }
    names.forEach(c -> require("--features", c, schema));
    config.categorical().forEach(c -> require("--categorical", c, schema));
    if (names.contains(label)) {
      throw new IllegalArgumentException(
          "--features include the label (" + label + "); leave it out");
    }
    if (names.isEmpty()) {
      throw new IllegalArgumentException(
          "no feature columns: the training split has only the label");
    }
    return names;
  }

  /** Decides the features, the task and the statistics, all from the training split. */
  private static Preprocessing fit(
      Statement sql, TrainerConfig config, Map<String, String> schema, Consumer<String> console)
      throws SQLException {
    String label = config.label();
    List<String> names = checkColumns(config, schema);
    long rows = count(sql, "SELECT count(*) FROM train");
    if (rows == 0) {
      throw new IllegalArgumentException("the training split is empty");
    }
    long nullLabels = count(sql, "SELECT count(*) FROM train WHERE " + id(label) + " IS NULL");
    if (nullLabels > 0) {
      throw new IllegalArgumentException(
          "label ("
              + label
              + ") is null in "
              + nullLabels
              + " training rows; drop them when preparing");
    }
    String labelType = schema.get(label);
    TrainerConfig.Task task = config.task();
    if (task == TrainerConfig.Task.AUTO) {
      if (!isNumeric(labelType)) {
        task = TrainerConfig.Task.CLASSIFICATION;
      } else if (isInteger(labelType)) {
        long distinct = count(sql, "SELECT count(DISTINCT " + id(label) + ") FROM train");
        task = distinct <= 100 ? TrainerConfig.Task.CLASSIFICATION : TrainerConfig.Task.REGRESSION;
      } else {
        task = TrainerConfig.Task.REGRESSION;
      }
    }
    if (task == TrainerConfig.Task.REGRESSION && !isNumeric(labelType)) {
      throw new IllegalArgumentException(
          "label (" + label + ") is " + labelType + ": regression needs a numeric label");
    }
    List<Preprocessing.Feature> features = new ArrayList<>();
    for (String c : names) {
      String type = schema.get(c);
      boolean categorical =
          config.categorical().isEmpty() ? !isNumeric(type) : config.categorical().contains(c);
      if (!categorical && !isNumeric(type)) {
        if (!type.equalsIgnoreCase("VARCHAR")) {
          throw new IllegalArgumentException(
              "feature '"
                  + c
                  + "' is "
                  + type
                  + ", neither numeric nor text; leave it out (--features) or prepare it as a number");
        }
        firstNonNumeric(sql, "train", c);
      }
      if (categorical) {
        List<String> categories = new ArrayList<>();
        try (ResultSet r =
            sql.executeQuery(
                "SELECT DISTINCT coalesce(" + id(c) + "::VARCHAR, '') FROM train ORDER BY 1")) {
          while (r.next()) {
            categories.add(r.getString(1));
          }
        }
        String encoding = config.categoricalEncoding();
        if (encoding.equals("auto")) {
          encoding = categories.size() > 16 ? "embedding" : "onehot";
        }
        if (encoding.equals("onehot") && categories.size() > 10_000) {
          throw new IllegalArgumentException(
              "categorical feature '"
                  + c
                  + "' has "
                  + categories.size()
                  + " values; one-hot encoding allows at most 10,000 (use --categorical_encoding"
                  + " embedding, or leave it out)");
        }
        if (encoding.equals("embedding")) {
          int dim =
              config.embeddingDim() > 0
                  ? config.embeddingDim()
                  : Math.min(32, (categories.size() + 1) / 2 + 1);
          features.add(new Preprocessing.Feature(c, "embedding", null, null, categories, dim));
        } else {
          features.add(new Preprocessing.Feature(c, "categorical", null, null, categories, null));
        }
      } else {
        try (ResultSet r =
            sql.executeQuery(
                "SELECT avg(TRY_CAST("
                    + id(c)
                    + " AS DOUBLE)), stddev_pop(TRY_CAST("
                    + id(c)
                    + " AS DOUBLE)), count(*) - count("
                    + id(c)
                    + ") FROM train")) {
          r.next();
          double mean = r.getDouble(1);
          double std = r.getDouble(2);
          long nulls = r.getLong(3);
          if (nulls > 0) {
            console.accept(
                "trainer: feature '"
                    + c
                    + "' is null in "
                    + nulls
                    + " training rows; they get the mean");
          }
          features.add(
              new Preprocessing.Feature(
                  c, "numeric", mean, std > 0 && !Double.isNaN(std) ? std : 1.0, null, null));
        }
      }
    }
    List<String> classes = null;
    Double labelMean = null;
    Double labelStd = null;
    if (task == TrainerConfig.Task.CLASSIFICATION) {
      classes = new ArrayList<>();
      String order = isNumeric(labelType) ? id(label) : id(label) + "::VARCHAR";
      try (ResultSet r =
          sql.executeQuery(
              "SELECT DISTINCT " + id(label) + "::VARCHAR, " + order + " FROM train ORDER BY 2")) {
        while (r.next()) {
          classes.add(r.getString(1));
        }
      }
      if (classes.size() < 2) {
        throw new IllegalArgumentException(
            "label ("
                + label
                + ") has "
                + classes.size()
                + " class in training; classification needs 2+");
      }
    } else {
      try (ResultSet r =
          sql.executeQuery(
              "SELECT avg("
                  + id(label)
                  + "::DOUBLE), stddev_pop("
                  + id(label)
                  + "::DOUBLE) FROM train")) {
        r.next();
        labelMean = r.getDouble(1);
        double std = r.getDouble(2);
        labelStd = std > 0 && !Double.isNaN(std) ? std : 1.0;
      }
    }
    return new Preprocessing(
        label, task.name().toLowerCase(Locale.ROOT), classes, labelMean, labelStd, features);
  }

  private static void firstNonNumeric(Statement sql, String split, String column)
      throws SQLException {
    try (ResultSet r =
        sql.executeQuery(
            "SELECT "
                + id(column)
                + "::VARCHAR FROM "
                + split
                + " WHERE "
                + id(column)
                + " IS NOT NULL AND TRY_CAST("
                + id(column)
                + " AS DOUBLE) IS NULL LIMIT 1")) {
      if (r.next()) {
        throw new IllegalArgumentException(
            "numeric feature '"
                + column
                + "' has the non-numeric value '"
                + r.getString(1)
                + "' in the "
                + split
                + " split; fix the data, or make it categorical (--categorical "
                + column
                + ")");
      }
    }
  }

  private static long count(Statement sql, String query) throws SQLException {
    try (ResultSet r = sql.executeQuery(query)) {
      r.next();
      return r.getLong(1);
    }
  }

  private static Split encode(
      Statement sql,
      Preprocessing prep,
      String split,
      Path file,
      Map<String, String> trainSchema,
      Consumer<String> console)
      throws SQLException {
    Map<String, String> schema = schema(sql, split);
    List<String> select = new ArrayList<>();
    for (Preprocessing.Feature f : prep.features()) {
      if (!schema.containsKey(f.name())) {
        throw new IllegalArgumentException(
            "the " + split + " split (" + file + ") has no column '" + f.name() + "'");
      }
      if ("numeric".equals(f.kind())) {
        if (!isNumeric(schema.get(f.name()))) {
          firstNonNumeric(sql, split, f.name());
        }
        select.add("TRY_CAST(" + id(f.name()) + " AS DOUBLE)");
      } else {
        select.add("coalesce(" + id(f.name()) + "::VARCHAR, '')");
      }
    }
    String label = prep.label();
    if (!schema.containsKey(label)) {
      throw new IllegalArgumentException(
          "the " + split + " split (" + file + ") has no label column '" + label + "'");
    }
    long nullLabels =
        count(sql, "SELECT count(*) FROM " + split + " WHERE " + id(label) + " IS NULL");
    if (nullLabels > 0) {
      throw new IllegalArgumentException(
          "label (" + label + ") is null in " + nullLabels + " rows of the " + split + " split");
    }
    if (prep.classification()) {
      List<String> unseen = new ArrayList<>();
      String known =
          prep.classes().stream().map(TabularData::lit).reduce((a, b) -> a + ", " + b).orElse("''");
      try (ResultSet r =
          sql.executeQuery(
              "SELECT DISTINCT "
                  + id(label)
                  + "::VARCHAR FROM "
                  + split
                  + " WHERE "
                  + id(label)
                  + "::VARCHAR NOT IN ("
                  + known
                  + ") ORDER BY 1 LIMIT 10")) {
        while (r.next()) {
          unseen.add(r.getString(1));
        }
      }
      if (!unseen.isEmpty()) {
        throw new IllegalArgumentException(
            "the "
                + split
                + " split has label values the training split does not: "
                + unseen
                + " (training has "
                + prep.classes()
                + "); prepare the splits with --stratify so every class is in training");
      }
      select.add(id(label) + "::VARCHAR");
    } else {
      select.add(id(label) + "::DOUBLE");
    }
    int rows = (int) count(sql, "SELECT count(*) FROM " + split);
    if (rows == 0) {
      throw new IllegalArgumentException(
          "the " + split + " split (" + file + ") is empty; prepare more rows or drop the split");
    }
    int width = prep.inputWidth();
    float[] x = new float[Math.multiplyExact(rows, width)];
    float[] y = new float[rows];
    Map<String, Integer> classIndex = new HashMap<>();
    for (int i = 0; i < prep.classes().size(); i++) {
      classIndex.put(prep.classes().get(i), i);
    }
    List<Map<String, Integer>> categoryIndex = new ArrayList<>();
    for (Preprocessing.Feature f : prep.features()) {
      Map<String, Integer> index = new HashMap<>();
      if (f.categories() != null) {
        for (int i = 0; i < f.categories().size(); i++) {
          index.put(f.categories().get(i), i);
        }
      }
      categoryIndex.add(index);
    }
    TreeSet<String> unseenCategories = new TreeSet<>();
    try (ResultSet r = sql.executeQuery("SELECT " + String.join(", ", select) + " FROM " + split)) {
      int row = 0;
      int dense = prep.denseWidth();
      while (r.next()) {
        int at = row * width;
        int embeddingAt = row * width + dense;
        for (int j = 0; j < prep.features().size(); j++) {
          Preprocessing.Feature f = prep.features().get(j);
          if (f.embedded()) {
            Integer c = categoryIndex.get(j).get(r.getString(j + 1));
            if (c == null && unseenCategories.size() < 5) {
              unseenCategories.add(f.name() + "=" + r.getString(j + 1));
            }
            x[embeddingAt++] = c == null ? f.categories().size() : c;
          } else if ("numeric".equals(f.kind())) {
            double v = r.getDouble(j + 1);
            x[at++] = r.wasNull() ? 0f : (float) ((v - f.mean()) / f.std());
          } else {
            Integer c = categoryIndex.get(j).get(r.getString(j + 1));
            if (c != null) {
              x[at + c] = 1f;
            } else if (unseenCategories.size() < 5) {
              unseenCategories.add(f.name() + "=" + r.getString(j + 1));
            }
            at += f.width();
          }
        }
        if (prep.classification()) {
          y[row] = classIndex.get(r.getString(select.size()));
        } else {
          y[row] = (float) ((r.getDouble(select.size()) - prep.labelMean()) / prep.labelStd());
        }
        row++;
      }
    }
    if (!unseenCategories.isEmpty()) {
      console.accept(
          "trainer: the "
              + split
              + " split has categories training never saw (encoded as none), e.g. "
              + unseenCategories);
    }
    console.accept(
        String.format(
            Locale.ROOT,
            "trainer: %s split: %,d rows, %d inputs (%s)",
            split,
            rows,
            width,
            file.getFileName()));
    return new Split(split, file, rows, width, x, y);
  }
}
