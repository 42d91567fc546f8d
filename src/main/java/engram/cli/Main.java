package engram.cli;

import engram.io.FileProblem;
import engram.train.DivergenceException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code engram}: train, inspect and export Hebbian-memory networks.
 *
 * <p>Exit codes: 0 success, 1 unexpected failure, 2 bad usage or configuration, 3 a file problem
 * (missing, damaged, in use or unwritable: data, run directories, models, outputs), 4 training
 * diverged. Errors are one line on stderr; {@code --verbose} adds the stack trace.
 */
@Command(
    name = "engram",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description =
        "Train and inspect neural networks with Hebbian memory (ENN, baselines) on TensorFlow.",
    subcommands = {
      TrainCommand.class,
      LaunchCommand.class,
      EvaluateCommand.class,
      BabiCommand.class,
      AssociationCommand.class,
      MemoryCommand.class,
      ExportCommand.class,
      PredictCommand.class,
      SampleCommand.class,
      VizCommand.class,
      BenchCommand.class,
      DoctorCommand.class,
      ImportKerasCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_DATA = 3;
  public static final int EXIT_DIVERGED = 4;
  public static final int EXIT_WORKER = 5;

  @Spec CommandSpec spec;

  // Inherited by every subcommand, so `engram <command> ... --verbose` works everywhere.
  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Print the stack trace of an error after its one-line message.")
  boolean verbose;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "missing command: train, evaluate, babi, export, predict, viz, bench, doctor or import-keras");
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (never calls System.exit). */
  public static int run(String... args) {
    return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  /** As {@link #run(String...)}, writing to the given streams. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.registerConverter(engram.models.ModelType.class, new ModelTypes());
    registerLowerCase(cli, engram.models.HMemConfig.Encoding.class);
    registerLowerCase(cli, engram.runtime.Compute.Device.class);
    registerLowerCase(cli, engram.runtime.Compute.Xla.class);
    cli.setParameterExceptionHandler(
        (ex, argv) -> {
          CommandLine cmd = ex.getCommandLine();
          err.println(
              "engram: "
                  + oneLine(ex.getMessage())
                  + " (see '"
                  + cmd.getCommandSpec().qualifiedName()
                  + " --help')");
          return EXIT_USAGE;
        });
    cli.setExecutionExceptionHandler(
        (ex, cmd, parseResult) -> {
          int code = exitCode(ex);
          err.println("engram: " + message(ex, code));
          if (verbose(parseResult)) {
            ex.printStackTrace(err);
          }
          return code;
        });
    return cli.execute(args);
  }

  /** Options of enum type {@code type} take its lower-case names, and errors list them so. */
  /** Model names through the registry ({@link engram.models.ModelType#parse}). */
  static final class ModelTypes implements CommandLine.ITypeConverter<engram.models.ModelType> {
    @Override
    public engram.models.ModelType convert(String value) {
      try {
        return engram.models.ModelType.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  private static <E extends Enum<E>> void registerLowerCase(CommandLine cli, Class<E> type) {
    cli.registerConverter(
        type,
        value -> {
          for (E e : type.getEnumConstants()) {
            if (e.toString().equalsIgnoreCase(value)) {
              return e;
            }
          }
          throw new CommandLine.TypeConversionException(
              "unknown value '"
                  + value
                  + "'; expected one of "
                  + java.util.Arrays.stream(type.getEnumConstants())
                      .map(Object::toString)
                      .toList());
        });
  }

  static int exitCode(Exception e) {
    if (e instanceof TrainCommand.WorkerFailureAdvice) {
      return EXIT_WORKER;
    }
    if (e instanceof DivergenceException) {
      return EXIT_DIVERGED;
    }
    if (e instanceof IllegalArgumentException) {
      return EXIT_USAGE;
    }
    if (e instanceof IOException || e instanceof UncheckedIOException) {
      return EXIT_DATA;
    }
    return EXIT_FAILURE;
  }

  /** The one-line message of {@code e}; the JDK's bare-path file errors get their reason added. */
  private static String message(Exception e, int code) {
    Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
    if (t instanceof FileSystemException f) {
      return FileProblem.of(f).getMessage();
    }
    String text = oneLine(String.valueOf(t.getMessage()));
    return code == EXIT_FAILURE ? t.getClass().getSimpleName() + ": " + text : text;
  }

  /** Whether --verbose was given to the command or any of its parents. */
  private static boolean verbose(ParseResult result) {
    for (ParseResult r = result; r != null; r = r.subcommand()) {
      if (r.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s*\\R\\s*", " ").trim();
  }
}
