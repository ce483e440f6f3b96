package io.jenkins.plugins.mlops.trainer;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.transformer.IdEmbedding;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.translate.Batchifier;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.tensorboard.EventFileWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One training run: the network, the loop, evaluation, TensorBoard files, checkpoints and the saved
 * model. Deterministic on CPU for a seed: initialisation, the shuffle of every epoch and dropout
 * are seeded per epoch, so a run resumed from a checkpoint takes exactly the steps of an
 * uninterrupted one.
 */
public final class TrainingRun {

  /** Why a run stopped without a model (NaN loss). */
  public static final class TrainingFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TrainingFailedException(String message) {
      super(message);
    }
  }

  private static final int EVAL_BATCH = 4096;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TrainerConfig config;
  private final Consumer<String> console;

  public TrainingRun(TrainerConfig config, Consumer<String> console) {
    this.config = config;
    this.console = console;
  }

  /** The devices {@code --devices} names. */
  static Device[] devices(String spec) {
    int gpus = Engine.getInstance().getGpuCount();
    if (spec.equals("cpu")) {
      return new Device[] {Device.cpu()};
    }
    if (spec.equals("auto")) {
      return gpus == 0 ? new Device[] {Device.cpu()} : gpuRange(gpus);
    }
    List<Integer> ids = new ArrayList<>();
    if (spec.equals("gpu")) {
      for (int i = 0; i < gpus; i++) {
        ids.add(i);
      }
      if (gpus == 0) {
        ids.add(0);
      }
    } else if (spec.matches("gpu:\\d+(,\\d+)*")) {
      for (String id : spec.substring(4).split(",")) {
        ids.add(Integer.parseInt(id));
      }
    } else if (spec.matches("\\d+")) {
      for (int i = 0; i < Integer.parseInt(spec); i++) {
        ids.add(i);
      }
    } else {
      throw new IllegalArgumentException(
          "--devices (" + spec + ") must be auto, cpu, gpu, gpu:0,1 or a number of GPUs");
    }
    for (int id : ids) {
      if (id >= gpus) {
        throw new IllegalArgumentException(
            "--devices ("
                + spec
                + ") asks for GPU "
                + id
                + " but "
                + (gpus == 0 ? "no GPU is visible" : gpus + " GPU(s) are visible")
                + " (CUDA_VISIBLE_DEVICES="
                + System.getenv().getOrDefault("CUDA_VISIBLE_DEVICES", "unset")
                + "; a CPU build of PyTorch sees none); use --devices cpu, or run the CUDA build"
                + " on a GPU machine");
      }
    }
    return ids.stream().map(Device::gpu).toArray(Device[]::new);
  }

  private static Device[] gpuRange(int n) {
    Device[] d = new Device[n];
    for (int i = 0; i < n; i++) {
      d[i] = Device.gpu(i);
    }
    return d;
  }

  /**
   * The MLP: [Linear, (BatchNorm), activation, (Dropout)] per hidden layer, then the output layer;
   * embedded features first go through their tables, concatenated with the dense inputs.
   */
  static Block network(TrainerConfig config, Preprocessing prep) {
    int outputs = prep.outputWidth();
    SequentialBlock net = new SequentialBlock();
    List<Preprocessing.Feature> embedded = prep.embedded();
    if (!embedded.isEmpty()) {
      int dense = prep.denseWidth();
      ParallelBlock inputs =
          new ParallelBlock(
              parts -> {
                NDList all = new NDList();
                parts.forEach(all::addAll);
                return new NDList(NDArrays.concat(all, 1));
              });
      if (dense > 0) {
        inputs.add(LambdaBlock.singleton(x -> x.get(new NDIndex(":, 0:" + dense)), "dense"));
      }
      for (int j = 0; j < embedded.size(); j++) {
        int column = dense + j;
        Preprocessing.Feature f = embedded.get(j);
        inputs.add(
            new SequentialBlock()
                .add(
                    LambdaBlock.singleton(
                        x -> x.get(new NDIndex(":, " + column)).toType(DataType.INT64, false),
                        "index_" + j))
                .add(
                    new IdEmbedding.Builder()
                        .setDictionarySize(f.categories().size() + 1)
                        .setEmbeddingSize(f.embeddingDim())
                        .build()));
      }
      net.add(inputs);
    }
    for (int units : config.hidden()) {
      net.add(Linear.builder().setUnits(units).build());
      if (config.batchNorm()) {
        net.add(BatchNorm.builder().build());
      }
      net.add(
          switch (config.activation()) {
            case "tanh" -> Activation.tanhBlock();
            case "gelu" -> Activation.geluBlock();
            case "sigmoid" -> Activation.sigmoidBlock();
            case "leaky_relu" -> Activation.leakyReluBlock(0.01f);
            default -> Activation.reluBlock();
          });
      if (config.dropout() > 0) {
        net.add(Dropout.builder().optRate((float) config.dropout()).build());
      }
    }
    net.add(Linear.builder().setUnits(outputs).build());
    return net;
  }

  /** Trains, evaluates, writes everything; a checkpoint of an earlier run is resumed. */
  public TrainingResult run() {
    TabularData data = TabularData.load(config, console);
    Preprocessing prep = data.preprocessing();
    TabularData.Split train = data.split("train");
    TabularData.Split validation = data.split("validation");
    TabularData.Split test = data.split("test");
    Device[] devices = devices(config.devices());
    String key = key(prep, data.fingerprint());
    Checkpoints.State previous = Checkpoints.peek(config.checkpointDir());
    if (previous != null && !previous.key().equals(key)) {
      throw new IllegalArgumentException(
          "the checkpoint in "
              + config.checkpointDir()
              + " was made with other settings or data; delete it, or use another"
              + " MLOPS_CHECKPOINT_DIR, to start over");
    }
    Loss loss =
        prep.classification()
            ? Loss.softmaxCrossEntropyLoss()
            : config.loss().equals("l1") ? Loss.l1Loss() : Loss.l2Loss("L2Loss", 1f);
    StatefulOptimizer optimizer = new StatefulOptimizer(config, devices.length);
    Schedule schedule = new Schedule(config);
    Block block = network(config, prep);
    try (Model model = Model.newInstance("mlp", devices[0], "PyTorch")) {
      model.setBlock(block);
      DefaultTrainingConfig trainingConfig =
          new DefaultTrainingConfig(loss)
              .optOptimizer(optimizer)
              .optDevices(devices)
              .optInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
      try (Trainer trainer = model.newTrainer(trainingConfig)) {
        Engine.getInstance().setRandomSeed((int) config.seed());
        trainer.initialize(new Shape(1, prep.inputWidth()));
        List<Pair<String, Parameter>> parameters = parameterList(block);
        int start = 0;
        long steps = 0;
        double best = Double.NaN;
        int bestEpoch = 0;
        int sinceBest = 0;
        byte[] bestParameters = null;
        List<Map<String, Double>> history = new ArrayList<>();
        Checkpoints.Loaded loaded =
            previous == null
                ? null
                : Checkpoints.loadLatest(config.checkpointDir(), model.getNDManager());
        if (loaded != null) {
          loadInto(block, loaded.parameters(), prep, model.getNDManager());
          optimizer.restore(parameters, loaded.optimizer(), devices);
          start = loaded.state().epochsDone();
          steps = loaded.state().steps();
          best = loaded.state().best();
          bestEpoch = loaded.state().bestEpoch();
          sinceBest = loaded.state().sinceBest();
          history.addAll(loaded.state().history());
          bestParameters = loaded.bestParameters();
          console.accept(
              "trainer: resumed from "
                  + loaded.dir()
                  + " ("
                  + start
                  + " of "
                  + config.epochs()
                  + " epochs done)");
        }
        console.accept(
            String.format(
                Locale.ROOT,
                "trainer: %s, %d inputs, %d outputs, hidden %s, %s on %s, %,d training rows, batch %d",
                prep.task(),
                prep.inputWidth(),
                prep.outputWidth(),
                config.hidden(),
                config.optimizer(),
                java.util.Arrays.toString(devices),
                train.rows(),
                config.batchSize()));
        boolean stoppedEarly = false;
        boolean monitoring = config.earlyStoppingPatience() > 0;
        boolean greater = TrainerConfig.greaterIsBetter(config.earlyStoppingMetric());
        if (monitoring
            && !config.earlyStoppingMetric().startsWith("train_")
            && validation == null) {
          throw new IllegalArgumentException(
              "--early_stopping_metric ("
                  + config.earlyStoppingMetric()
                  + ") needs a validation split; prepare one or monitor a train_ metric");
        }
        int stepsPerEpoch = (train.rows() + config.batchSize() - 1) / config.batchSize();
        long runStart = System.nanoTime();
        int trainedHere = 0;
        try (EventFileWriter trainLog = EventFileWriter.open(config.logdir().resolve("train"));
            EventFileWriter validationLog =
                validation == null
                    ? null
                    : EventFileWriter.open(config.logdir().resolve("validation"))) {
          for (int epoch = start; epoch < config.epochs(); epoch++) {
            if (monitoring && sinceBest >= config.earlyStoppingPatience()) {
              stoppedEarly = true;
              break;
            }
            long epochStart = System.nanoTime();
            Map<String, Double> row = new LinkedHashMap<>();
            double lastRate =
                trainEpoch(
                    trainer,
                    optimizer,
                    schedule,
                    train,
                    prep,
                    epoch,
                    stepsPerEpoch,
                    steps,
                    row,
                    trainLog);
            steps += stepsPerEpoch;
            double seconds = (System.nanoTime() - epochStart) / 1e9;
            if (validation != null) {
              Evaluation v = evaluate(trainer, loss, validation, prep);
              v.metrics().forEach((k, val) -> row.put("val_" + k, val));
            }
            row.put("learning_rate", lastRate);
            row.put("samples_per_second", train.rows() / seconds);
            history.add(row);
            trainedHere++;
            if (monitoring) {
              String name = config.earlyStoppingMetric();
              Double value = row.get(name.startsWith("train_") ? name.substring(6) : name);
              if (value == null) {
                throw new IllegalArgumentException(
                    "--early_stopping_metric ("
                        + name
                        + ") is not one of the metrics "
                        + row.keySet().stream()
                            .map(k -> k.startsWith("val_") ? k : "train_" + k)
                            .toList());
              }
              if (Double.isNaN(best) || (greater ? value > best : value < best)) {
                best = value;
                bestEpoch = epoch + 1;
                sinceBest = 0;
                bestParameters = parameterBytes(block);
              } else {
                sinceBest++;
              }
            }
            if (config.checkpointDir() != null) {
              Checkpoints.save(
                  config.checkpointDir(),
                  block,
                  optimizer.export(parameters, model.getNDManager()),
                  bestParameters,
                  new Checkpoints.State(
                      key, epoch + 1, steps, best, bestEpoch, sinceBest, history));
            }
            writeEpoch(trainLog, validationLog, epoch + 1, row);
            double elapsed = (System.nanoTime() - runStart) / 1e9;
            double eta = elapsed / trainedHere * (config.epochs() - epoch - 1);
            console.accept(progress(epoch + 1, row, seconds, eta));
          }
          if (bestParameters != null) {
            loadInto(block, bestParameters, prep, model.getNDManager());
            console.accept(
                "trainer: "
                    + (stoppedEarly ? "stopped early; " : "")
                    + "restored the weights of epoch "
                    + bestEpoch
                    + " (best "
                    + config.earlyStoppingMetric()
                    + " "
                    + format(best)
                    + ")");
          }
        }
        // One name per quantity in MLflow: the per-epoch series are the TensorBoard ones
        // (train/epoch_*, validation/epoch_*, synced by mlops train or mlops sync), so the
        // summary holds only what has no series: the test split's numbers and the epoch counts.
        // The last epoch's numbers stay in metrics.json, under last_epoch, not as metrics.
        Map<String, Double> metrics = new LinkedHashMap<>();
        Map<String, Double> lastEpoch = new LinkedHashMap<>();
        if (!history.isEmpty()) {
          history
              .get(history.size() - 1)
              .forEach((k, v) -> lastEpoch.put(k.startsWith("val_") ? k : "train_" + k, v));
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("last_epoch", lastEpoch);
        if (test != null) {
          Evaluation t = evaluate(trainer, loss, test, prep);
          t.metrics().forEach((k, v) -> metrics.put("test_" + k, v));
          if (t.confusion() != null) {
            extra.put("confusion_matrix", t.confusion());
            extra.put("classes", prep.classes());
          }
          console.accept("trainer: test " + line(t.metrics()));
        }
        metrics.put("epochs", (double) history.size());
        if (bestEpoch > 0) {
          metrics.put("best_epoch", (double) bestEpoch);
        }
        Path modelDir = save(model, prep, metrics, data);
        writeMetrics(metrics, extra);
        return new TrainingResult(history.size(), start, stoppedEarly, metrics, history, modelDir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Pair<String, Parameter>> parameterList(Block block) {
    List<Pair<String, Parameter>> list = new ArrayList<>();
    block.getParameters().forEach(p -> list.add(new Pair<>(p.getKey(), p.getValue())));
    return list;
  }

  /** One epoch; returns the learning rate of its last step. */
  private double trainEpoch(
      Trainer trainer,
      StatefulOptimizer optimizer,
      Schedule schedule,
      TabularData.Split train,
      Preprocessing prep,
      int epoch,
      int stepsPerEpoch,
      long stepsBefore,
      Map<String, Double> row,
      EventFileWriter log) {
    Engine.getInstance().setRandomSeed((int) (config.seed() * 1_000_003L + epoch));
    int[] order = permutation(train.rows(), new Random(config.seed() * 31 + epoch));
    int width = train.width();
    double lossSum = 0;
    long correct = 0;
    double rate = 0;
    for (int b = 0; b < stepsPerEpoch; b++) {
      int from = b * config.batchSize();
      int n = Math.min(config.batchSize(), train.rows() - from);
      float[] x = new float[n * width];
      float[] y = new float[n];
      for (int i = 0; i < n; i++) {
        int r = order[from + i];
        System.arraycopy(train.features(), r * width, x, i * width, width);
        y[i] = train.labels()[r];
      }
      rate = schedule.at(epoch, b, stepsPerEpoch);
      optimizer.setLearningRate(rate);
      optimizer.setStep(stepsBefore + b + 1);
      double batchLoss = 0;
      long batchCorrect = 0;
      try (NDManager batchManager = trainer.getManager().newSubManager()) {
        NDArray xs = batchManager.create(x, new Shape(n, width));
        NDArray ys = batchManager.create(y, new Shape(n));
        Batch batch =
            new Batch(
                batchManager,
                new NDList(xs),
                new NDList(ys),
                n,
                Batchifier.STACK,
                Batchifier.STACK,
                b,
                stepsPerEpoch);
        Batch[] parts =
            trainer.getDevices().length == 1
                ? new Batch[] {batch}
                : batch.split(trainer.getDevices(), false);
        try (GradientCollector collector = trainer.newGradientCollector()) {
          for (Batch part : parts) {
            NDList predictions = trainer.forward(part.getData(), part.getLabels());
            NDArray l = trainer.getLoss().evaluate(part.getLabels(), predictions);
            collector.backward(l);
            batchLoss += l.getFloat() * part.getSize();
            if (prep.classification()) {
              batchCorrect +=
                  predictions
                      .singletonOrThrow()
                      .argMax(1)
                      .eq(part.getLabels().singletonOrThrow().toType(DataType.INT64, false))
                      .countNonzero()
                      .getLong();
            }
          }
        }
        trainer.step();
        zeroGradients(trainer);
      }
      if (!Double.isFinite(batchLoss)) {
        throw new TrainingFailedException(
            String.format(
                Locale.ROOT,
                "the loss became %s at epoch %d, step %d (learning rate %s): the learning rate is"
                    + " probably too high; try --learning_rate %s, or --clip_value 1, or"
                    + " --batch_norm true",
                batchLoss,
                epoch + 1,
                b + 1,
                format(rate),
                format(config.learningRate() / 10)));
      }
      lossSum += batchLoss;
      correct += batchCorrect;
      long globalStep = stepsBefore + b + 1;
      if (config.logEveryBatches() > 0 && globalStep % config.logEveryBatches() == 0) {
        log.scalar("batch_loss", globalStep, batchLoss / n);
        if (prep.classification()) {
          log.scalar("batch_accuracy", globalStep, batchCorrect / (double) n);
        }
      }
    }
    row.put("loss", lossSum / train.rows());
    if (prep.classification()) {
      row.put("accuracy", correct / (double) train.rows());
    }
    return rate;
  }

  /**
   * PyTorch adds every backward pass's gradients to the previous ones, and DJL does not reset them
   * after a step; its own {@code zeroGradients()} walks every array of the engine and leaks two
   * handles per parameter per call. This resets the parameters' gradients (and, with several
   * devices, those of their copies on the other devices) in place.
   */
  private static void zeroGradients(Trainer trainer) {
    List<NDArray> arrays = new ArrayList<>();
    trainer.getModel().getBlock().getParameters().forEach(p -> arrays.add(p.getValue().getArray()));
    if (trainer.getDevices().length > 1) {
      arrays.addAll(trainer.getManager().getManagedArrays());
    }
    for (NDArray array : arrays) {
      if (array.hasGradient()) {
        try (NDArray gradient = array.getGradient()) {
          gradient.subi(gradient);
        }
      }
    }
  }

  private static int[] permutation(int n, Random random) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** Metrics of a split, and its confusion matrix for classification. */
  record Evaluation(Map<String, Double> metrics, long[][] confusion) {}

  private Evaluation evaluate(
      Trainer trainer, Loss loss, TabularData.Split split, Preprocessing prep) {
    int width = split.width();
    double lossSum = 0;
    int[] predicted = new int[split.rows()];
    double[] values = new double[split.rows()];
    for (int from = 0; from < split.rows(); from += EVAL_BATCH) {
      int n = Math.min(EVAL_BATCH, split.rows() - from);
      try (NDManager m = trainer.getManager().newSubManager()) {
        float[] x = new float[n * width];
        System.arraycopy(split.features(), from * width, x, 0, n * width);
        float[] y = new float[n];
        System.arraycopy(split.labels(), from, y, 0, n);
        NDArray xs = m.create(x, new Shape(n, width));
        NDArray ys = m.create(y, new Shape(n));
        NDList out = trainer.evaluate(new NDList(xs));
        lossSum += loss.evaluate(new NDList(ys), out).getFloat() * n;
        NDArray o = out.singletonOrThrow();
        if (prep.classification()) {
          long[] p = o.argMax(1).toLongArray();
          for (int i = 0; i < n; i++) {
            predicted[from + i] = (int) p[i];
          }
        } else {
          float[] p = o.reshape(n).toFloatArray();
          for (int i = 0; i < n; i++) {
            values[from + i] = p[i] * prep.labelStd() + prep.labelMean();
          }
        }
      }
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("loss", lossSum / split.rows());
    if (prep.classification()) {
      int[] truth = new int[split.rows()];
      for (int i = 0; i < truth.length; i++) {
        truth[i] = (int) split.labels()[i];
      }
      metrics.putAll(Metrics.classification(truth, predicted, prep.classes().size()));
      return new Evaluation(metrics, Metrics.confusion(truth, predicted, prep.classes().size()));
    }
    double[] truth = new double[split.rows()];
    for (int i = 0; i < truth.length; i++) {
      truth[i] = split.labels()[i] * prep.labelStd() + prep.labelMean();
    }
    metrics.putAll(Metrics.regression(truth, values));
    return new Evaluation(metrics, null);
  }

  /**
   * Keras' tags: {@code epoch_loss}, {@code epoch_accuracy}, ... in {@code train/} and {@code
   * validation/}.
   */
  private static void writeEpoch(
      EventFileWriter train, EventFileWriter validation, int epoch, Map<String, Double> row) {
    row.forEach(
        (k, v) -> {
          if (k.startsWith("val_")) {
            if (validation != null) {
              validation.scalar("epoch_" + k.substring(4), epoch, v);
            }
          } else {
            train.scalar("epoch_" + k, epoch, v);
          }
        });
    train.flush();
    if (validation != null) {
      validation.flush();
    }
  }

  private String progress(int epoch, Map<String, Double> row, double seconds, double eta) {
    StringBuilder s =
        new StringBuilder(
            String.format(Locale.ROOT, "trainer: epoch %d/%d", epoch, config.epochs()));
    row.forEach(
        (k, v) -> {
          if (!k.equals("samples_per_second") && !k.equals("learning_rate")) {
            s.append(" - ").append(k).append(": ").append(format(v));
          }
        });
    s.append(
        String.format(
            Locale.ROOT,
            " - lr %s - %,.0f samples/s - %.1f s - ETA %.0f s",
            format(row.get("learning_rate")),
            row.get("samples_per_second"),
            seconds,
            eta));
    return s.toString();
  }

  private static String line(Map<String, Double> metrics) {
    StringBuilder s = new StringBuilder();
    metrics.forEach(
        (k, v) -> s.append(s.length() == 0 ? "" : " - ").append(k).append(": ").append(format(v)));
    return s.toString();
  }

  static String format(double v) {
    return String.format(Locale.ROOT, "%.4g", v);
  }

  private static byte[] parameterBytes(Block block) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      block.saveParameters(out);
    }
    return bytes.toByteArray();
  }

  /**
   * Copies saved parameters into the arrays the trainer already trains (and its parameter store
   * already holds): {@code Block.loadParameters} would put new arrays in their place.
   */
  private void loadInto(Block block, byte[] saved, Preprocessing prep, NDManager manager) {
    try (NDManager scratchManager = manager.newSubManager();
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(saved))) {
      Block scratch = network(config, prep);
      scratch.initialize(scratchManager, DataType.FLOAT32, new Shape(1, prep.inputWidth()));
      scratch.loadParameters(scratchManager, in);
      var from = scratch.getParameters();
      var to = block.getParameters();
      for (int i = 0; i < to.size(); i++) {
        from.get(i).getValue().getArray().copyTo(to.get(i).getValue().getArray());
      }
    } catch (IOException | ai.djl.MalformedModelException e) {
      throw new IllegalStateException("cannot restore saved parameters", e);
    }
  }

  /** Settings that change what a checkpoint means: all but epochs, devices and logging. */
  private String key(Preprocessing prep, String fingerprint) {
    Map<String, String> relevant = new TreeMap<>(config.hyperparameters());
    for (String ignored :
        List.of(
            "epochs",
            "devices",
            "log_every_batches",
            "early_stopping_patience",
            "early_stopping_metric")) {
      relevant.remove(ignored);
    }
    try {
      String text =
          JSON.writeValueAsString(relevant) + JSON.writeValueAsString(prep) + "|" + fingerprint;
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The model in DJL's format and {@code model-card.json}, as an MLflow Model ({@link
   * MlflowModel}), moved into place when complete.
   */
  private Path save(Model model, Preprocessing prep, Map<String, Double> metrics, TabularData data)
      throws IOException {
    String fingerprint = data.fingerprint();
    Path output = config.outputDir();
    Files.createDirectories(output);
    Path tmp = output.resolve(".model-" + UUID.randomUUID());
    Path target = output.resolve("model");
    try {
      Files.createDirectories(tmp);
      model.setProperty("mlops.task", prep.task());
      model.save(tmp, "mlp");
      Map<String, Object> card = new LinkedHashMap<>();
      card.put("format", "djl");
      card.put("engine", "PyTorch " + Engine.getInstance().getVersion());
      String parametersFile;
      try (var files = Files.list(tmp)) {
        parametersFile =
            files
                .map(p -> p.getFileName().toString())
                .filter(name -> name.endsWith(".params"))
                .findFirst()
                .orElseThrow(() -> new IOException("DJL wrote no .params file in " + tmp));
      }
      card.put("parameters_file", parametersFile);
      card.put("created", Instant.now().toString());
      card.put("task", prep.task());
      card.put("label", prep.label());
      card.put("classes", prep.classes());
      card.put("input_width", prep.inputWidth());
      card.put(
          "architecture",
          Map.of(
              "hidden", config.hidden(),
              "activation", config.activation(),
              "dropout", config.dropout(),
              "batch_norm", config.batchNorm()));
      card.put("preprocessing", prep);
      card.put("metrics", metrics);
      card.put("hyperparameters", config.hyperparameters());
      card.put("data_fingerprint", fingerprint);
      JSON.writerWithDefaultPrettyPrinter()
          .writeValue(tmp.resolve("model-card.json").toFile(), card);
      MlflowModel.write(
          tmp, model.getBlock(), config, prep, data.schema(), data.example(), parametersFile);
      if (Files.exists(target)) {
        Checkpoints.deleteTree(target);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Checkpoints.deleteTree(tmp);
    }
    console.accept("trainer: saved the model to " + target);
    return target;
  }

  private void writeMetrics(Map<String, Double> metrics, Map<String, Object> extra)
      throws IOException {
    Map<String, Object> all = new LinkedHashMap<>(metrics);
    all.putAll(extra);
    Path file = config.outputDir().resolve("metrics.json");
    Path tmp = config.outputDir().resolve(".metrics-" + UUID.randomUUID() + ".json");
    JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), all);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
