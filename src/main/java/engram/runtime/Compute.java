package engram.runtime;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_CloseSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteDeviceList;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListCount;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListMemoryBytes;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListName;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListType;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionListDevices;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetTfXlaCpuGlobalJit;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetXlaAutoJitMode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.OptimizerOptions;

/**
 * Where and how TensorFlow runs engram's graphs: the device, XLA and CPU threads, turned into a
 * session {@link ConfigProto}.
 *
 * <ul>
 *   <li>{@code device}: {@code auto} uses a GPU when TensorFlow sees one; {@code cpu} hides GPUs;
 *       {@code gpu} requires one and fails with the fix when there is none.
 *   <li>{@code xla}: {@code auto} is on for GPUs and off for CPUs. XLA fuses the many small ops of
 *       an unrolled cell, which is what a GPU needs (the ENN step is launch-bound without it); on
 *       CPU it compiled H-Mem's unrolled write loop for minutes and ran slower, so it is opt-in
 *       there.
 *   <li>GPU memory grows on demand instead of being reserved up front.
 * </ul>
 *
 * XLA's auto-clustering flags are process-wide in TensorFlow, so they are set once, before the
 * first session.
 */
public record Compute(Device device, Xla xla, Integer threads) {

  /** Which device runs the graph. */
  public enum Device {
    AUTO,
    CPU,
    GPU;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Whether XLA compiles clusters of the graph. */
  public enum Xla {
    AUTO,
    ON,
    OFF;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A device TensorFlow can use. */
  public record DeviceInfo(String name, String type, long memoryBytes) {}

  public Compute {
    if (device == null) {
      device = Device.AUTO;
    }
    if (xla == null) {
      xla = Xla.AUTO;
    }
    if (threads != null && threads <= 0) {
      throw new IllegalArgumentException("--threads must be > 0, got " + threads);
    }
  }

  /** TensorFlow's defaults: any device, XLA on GPU only, all cores. */
  public static Compute defaults() {
    return new Compute(Device.AUTO, Xla.AUTO, null);
  }

  /** The devices TensorFlow sees in this process (CPU always, GPUs when CUDA loads). */
  public static synchronized List<DeviceInfo> devices() {
    if (deviceCache == null) {
      TensorFlow.version(); // loads the native library
      List<DeviceInfo> out = new ArrayList<>();
      TF_Status status = TF_Status.newStatus();
      TF_Graph graph = TF_NewGraph();
      TF_SessionOptions options = TF_NewSessionOptions();
      TF_Session session = TF_NewSession(graph, options, status);
      status.throwExceptionIfNotOK();
      TF_DeviceList list = TF_SessionListDevices(session, status);
      try {
        status.throwExceptionIfNotOK();
        for (int i = 0; i < TF_DeviceListCount(list); i++) {
          out.add(
              new DeviceInfo(
                  TF_DeviceListName(list, i, status).getString(),
                  TF_DeviceListType(list, i, status).getString(),
                  TF_DeviceListMemoryBytes(list, i, status)));
        }
      } finally {
        TF_DeleteDeviceList(list);
        TF_CloseSession(session, status);
        TF_DeleteSession(session, status);
        TF_DeleteSessionOptions(options);
        TF_DeleteGraph(graph);
      }
      deviceCache = List.copyOf(out);
    }
    return deviceCache;
  }

  private static List<DeviceInfo> deviceCache;

  /**
   * The TensorFlow native build on the classpath: {@code linux-x86_64-gpu} (built with -Pgpu) or
   * {@code linux-x86_64}. Read from the jar's resources, without loading TensorFlow.
   */
  public static String nativeBuild() {
    String gpu = "org/tensorflow/internal/c_api/linux-x86_64-gpu/libjnitensorflow.so";
    return Compute.class.getClassLoader().getResource(gpu) != null
        ? "linux-x86_64-gpu"
        : "linux-x86_64";
  }

  /** Whether the GPU build of TensorFlow is on the classpath (the CPU build never sees a GPU). */
  public static boolean gpuBuild() {
    return nativeBuild().endsWith("-gpu");
  }

  /** Whether TensorFlow sees a GPU. */
  public static boolean hasGpu() {
    return gpuBuild() && devices().stream().anyMatch(d -> d.type().equals("GPU"));
  }

  /** The device the graph will run on. */
  public Device resolvedDevice() {
    return switch (device) {
      case AUTO -> hasGpu() ? Device.GPU : Device.CPU;
      case CPU -> Device.CPU;
      case GPU -> {
        if (!gpuBuild()) {
          throw new IllegalArgumentException(
              "--device gpu: this is engram's CPU build of TensorFlow, which never uses a GPU;"
                  + " rebuild with ./mvnw -Pgpu (needs CUDA 12.5 and cuDNN 9), or use --device cpu");
        }
        if (!hasGpu()) {
          throw new IllegalArgumentException(
              "--device gpu: TensorFlow sees no GPU; install CUDA 12.5 and cuDNN 9 and put them"
                  + " on LD_LIBRARY_PATH (`engram doctor` lists what is missing), or use --device cpu");
        }
        yield Device.GPU;
      }
    };
  }

  /** Whether XLA is on for the resolved device. */
  public boolean xlaEnabled() {
    return switch (xla) {
      case ON -> true;
      case OFF -> false;
      case AUTO -> resolvedDevice() == Device.GPU;
    };
  }

  /**
   * The session config; also switches XLA's process-wide auto-clustering on when asked (CPU needs
   * {@code tf_xla_cpu_global_jit} as well).
   */
  public ConfigProto sessionConfig() {
    Device target = resolvedDevice();
    ConfigProto.Builder config =
        ConfigProto.newBuilder()
            .setAllowSoftPlacement(true)
            .setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true));
    if (target == Device.CPU) {
      config.putDeviceCount("GPU", 0);
    }
    if (threads != null) {
      config.setIntraOpParallelismThreads(threads).setInterOpParallelismThreads(threads);
    }
    if (xlaEnabled()) {
      enableXla(target);
      config.setGraphOptions(
          GraphOptions.newBuilder()
              .setOptimizerOptions(
                  OptimizerOptions.newBuilder()
                      .setGlobalJitLevel(OptimizerOptions.GlobalJitLevel.ON_2)));
    }
    return config.build();
  }

  private static synchronized void enableXla(Device target) {
    TF_SetXlaAutoJitMode("2");
    if (target == Device.CPU) {
      TF_SetTfXlaCpuGlobalJit((byte) 1);
    }
  }

  /** One line for logs: {@code cpu, XLA off, 2 threads}. */
  public String describe() {
    Device target = resolvedDevice();
    return target
        + ", XLA "
        + (xlaEnabled() ? "on" : "off")
        + ", "
        + (threads == null
            ? Runtime.getRuntime().availableProcessors() + " cores"
            : threads + " threads");
  }
}
