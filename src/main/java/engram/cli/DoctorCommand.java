package engram.cli;

import engram.runtime.Compute;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.tensorflow.TensorFlow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code engram doctor}: what this machine gives engram. Versions, the TensorFlow native build, the
 * devices TensorFlow sees, and for the GPU build which CUDA libraries were loaded, with the fix
 * when one is missing. Always exits 0: it reports, it does not judge.
 */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description = "Show versions, the TensorFlow build, visible devices and CUDA libraries.")
final class DoctorCommand implements Callable<Integer> {

  /** The CUDA 12 / cuDNN 9 libraries TensorFlow 2.18 opens (sonames). */
  static final List<String> CUDA_LIBRARIES =
      List.of(
          "libcudart.so.12",
          "libcublas.so.12",
          "libcublasLt.so.12",
          "libcufft.so.11",
          "libcusolver.so.11",
          "libcusparse.so.12",
          "libcudnn.so.9");

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    String version = Main.class.getPackage().getImplementationVersion();
    row(out, "engram", version == null ? "development build" : version);
    row(
        out,
        "Java",
        Runtime.version()
            + " ("
            + System.getProperty("java.vendor")
            + "), max heap "
            + gib(Runtime.getRuntime().maxMemory())
            + ", "
            + Runtime.getRuntime().availableProcessors()
            + " cores");
    boolean gpuBuild = Compute.gpuBuild();
    row(
        out,
        "TensorFlow",
        TensorFlow.version()
            + " through TensorFlow Java 1.1.0; native build "
            + Compute.nativeBuild()
            + (gpuBuild ? " (CUDA)" : " (CPU only)"));
    List<Compute.DeviceInfo> devices = Compute.devices();
    for (Compute.DeviceInfo d : devices) {
      // A CPU device's "memory" is only TensorFlow's nominal allocator limit; show GPUs' only.
      row(
          out,
          "device",
          d.type() + " " + d.name() + (d.type().equals("GPU") ? ", " + gib(d.memoryBytes()) : ""));
    }
    nvidiaSmi().ifPresent(line -> row(out, "nvidia-smi", line));
    boolean gpu = devices.stream().anyMatch(d -> d.type().equals("GPU"));
    if (!gpuBuild) {
      row(
          out,
          "GPU",
          "not used: this is the CPU build. For a GPU, build with ./mvnw -Pgpu and install CUDA"
              + " 12.5 and cuDNN 9 (TensorFlow 2.18's versions).");
      return Main.EXIT_OK;
    }
    String maps = Files.readString(Path.of("/proc/self/maps"), StandardCharsets.ISO_8859_1);
    int missing = 0;
    for (String lib : CUDA_LIBRARIES) {
      // TensorFlow opens some libraries (cuBLAS, cuFFT, cuSOLVER) only on first use, so a library
      // not mapped yet is looked up where the dynamic linker would find it.
      Optional<String> loaded =
          maps.lines()
              .filter(l -> l.contains("/" + lib))
              .map(l -> l.substring(l.indexOf('/')))
              .findFirst();
      Optional<Path> found = loaded.isPresent() ? Optional.empty() : findLibrary(lib);
      if (loaded.isEmpty() && found.isEmpty()) {
        missing++;
      }
      row(
          out,
          lib,
          loaded
              .map(p -> "loaded from " + p)
              .orElse(
                  found
                      .map(p -> "found at " + p + " (TensorFlow opens it on first use)")
                      .orElse(
                          "NOT FOUND (looked in LD_LIBRARY_PATH, CUDA's and the system's lib folders)")));
    }
    if (gpu) {
      row(out, "GPU", "ready: training uses it by default (--device auto), with XLA on.");
      row(
          out,
          "TF_SYNC_ON_FINISH",
          "0".equals(System.getenv("TF_SYNC_ON_FINISH"))
              ? "0: steps that fetch nothing return without waiting for the GPU"
              : "not 0: every step waits for the GPU at its end; TF_SYNC_ON_FINISH=0 lets the"
                  + " steps between score fetches (train.fetchEvery) return early");
    } else {
      row(
          out,
          "GPU",
          "TensorFlow sees none"
              + (missing > 0
                  ? ": "
                      + missing
                      + " CUDA librar"
                      + (missing == 1 ? "y is" : "ies are")
                      + " missing."
                      + " Install CUDA 12.5 and cuDNN 9 and add their lib directories to"
                      + " LD_LIBRARY_PATH (TensorFlow 2.18 opens the sonames listed above)."
                  : "; the libraries loaded, so check the driver (nvidia-smi) and CUDA_VISIBLE_DEVICES."));
    }
    return Main.EXIT_OK;
  }

  /**
   * Where the dynamic linker would find {@code soname}: LD_LIBRARY_PATH, CUDA's and the system's.
   */
  static Optional<Path> findLibrary(String soname) {
    List<String> dirs = new java.util.ArrayList<>();
    String ld = System.getenv("LD_LIBRARY_PATH");
    if (ld != null) {
      dirs.addAll(List.of(ld.split(":")));
    }
    dirs.addAll(
        List.of(
            "/usr/local/cuda/lib64",
            "/usr/local/cuda-12/lib64",
            "/usr/lib/x86_64-linux-gnu",
            "/usr/lib64",
            "/lib/x86_64-linux-gnu"));
    for (String dir : dirs) {
      if (!dir.isEmpty() && Files.exists(Path.of(dir, soname))) {
        return Optional.of(Path.of(dir, soname));
      }
    }
    return Optional.empty();
  }

  private static void row(PrintWriter out, String key, String value) {
    out.printf(Locale.ROOT, "%-18s %s%n", key, value);
  }

  private static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
  }

  /** GPU name, memory and compute capability from nvidia-smi, when it is installed. */
  private static Optional<String> nvidiaSmi() {
    try {
      Process p =
          new ProcessBuilder(
                  "nvidia-smi",
                  "--query-gpu=name,memory.total,compute_cap",
                  "--format=csv,noheader")
              .redirectErrorStream(true)
              .start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0 || text.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(text.replace('\n', ';') + " (name, memory, compute capability)");
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
