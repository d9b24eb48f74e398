// Starts another main class and ends the JVM once its standard input reaches end-of-file. The node process
// that spawns the broker holds the only writer of that pipe, so the kernel closes it whenever that process
// dies, even by SIGKILL; System.exit then runs Kafka's shutdown hook and the broker stops cleanly.
public final class ExitWithParent {
  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException("usage: ExitWithParent <main class> [args...]");
    }
    Thread watcher = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // Nothing is ever written; reading only waits for the parent to go away.
        }
      } catch (java.io.IOException ignored) {
        // A broken pipe means the same thing as end-of-file.
      }
      System.exit(0);
    }, "exit-with-parent");
    watcher.setDaemon(true);
    watcher.start();
    String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
    Class.forName(args[0]).getMethod("main", String[].class).invoke(null, (Object) rest);
  }
}
