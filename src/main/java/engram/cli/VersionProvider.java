package engram.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code engram --version}: engram's version (from the jar manifest) and the Java runtime. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Main.class.getPackage().getImplementationVersion();
    return new String[] {
      "engram " + (version == null ? "(development build)" : version),
      "TensorFlow Java 1.1.0 (TensorFlow 2.18.0), Java " + Runtime.version()
    };
  }
}
