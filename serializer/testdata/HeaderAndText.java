// Writes events the way Flume's HeaderAndBodyTextEventSerializer does: the
// event's header map (a java.util.HashMap filled by put, as Flume's sources
// fill it) printed with Map.toString plus a space, in the platform charset
// (run with -Dfile.encoding=UTF-8), then the body, then an optional "\n".
//
// Input, one event per line: appendNewline (0 or 1), TAB, the body in hex,
// TAB, the headers as hexkey=hexvalue separated by commas, in insertion
// order. Output: the serialized events, concatenated, on stdout.
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.*;

public class HeaderAndText {
  static byte[] unhex(String s) {
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }

  static String str(String hex) {
    return new String(unhex(hex), StandardCharsets.UTF_8);
  }

  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    OutputStream out = new BufferedOutputStream(System.out);
    String line;
    while ((line = in.readLine()) != null) {
      String[] f = line.split("\t", -1);
      Map<String, String> headers = new HashMap<>();
      if (!f[2].isEmpty()) {
        for (String kv : f[2].split(",")) {
          int eq = kv.indexOf('=');
          headers.put(str(kv.substring(0, eq)), str(kv.substring(eq + 1)));
        }
      }
      out.write((headers + " ").getBytes());
      out.write(unhex(f[1]));
      if (f[0].equals("1")) {
        out.write('\n');
      }
    }
    out.flush();
  }
}
