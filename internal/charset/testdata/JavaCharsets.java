import java.io.BufferedReader;
import java.io.BufferedOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * What the JDK does with text in a charset, for charset_test.go. Each input
 * line is tab-separated:
 *
 *   D  charset  policy  hex   decode bytes as Flume's ResettableFileInputStream
 *                             does (CharsetDecoder, the policy's action for
 *                             malformed and unmappable input); prints
 *                             "ok <hex of the text as UTF-8>" or, under FAIL,
 *                             "err <offset> <hex of the text before it>"
 *   E  charset  -       hex   encode UTF-8 text as Flume's LineDeserializer
 *                             does (String.getBytes(charset)); prints its hex
 */
public class JavaCharsets {
  public static void main(String[] args) throws Exception {
    BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(new BufferedOutputStream(System.out), false, "UTF-8");
    String line;
    while ((line = r.readLine()) != null) {
      String[] f = line.split("\t", -1);
      Charset cs = Charset.forName(f[1]);
      byte[] data = unhex(f[3]);
      if (f[0].equals("E")) {
        out.print(hex(new String(data, StandardCharsets.UTF_8).getBytes(cs)) + "\n");
        continue;
      }
      CodingErrorAction act = f[2].equals("FAIL") ? CodingErrorAction.REPORT
          : f[2].equals("REPLACE") ? CodingErrorAction.REPLACE : CodingErrorAction.IGNORE;
      CharsetDecoder d = cs.newDecoder().onMalformedInput(act).onUnmappableCharacter(act);
      ByteBuffer in = ByteBuffer.wrap(data);
      CharBuffer cb = CharBuffer.allocate(data.length * 2 + 16);
      CoderResult res = d.decode(in, cb, true);
      if (!res.isError()) {
        res = d.flush(cb);
      }
      cb.flip();
      String text = hex(cb.toString().getBytes(StandardCharsets.UTF_8));
      if (res.isError()) {
        out.print("err\t" + in.position() + "\t" + text + "\n");
      } else {
        out.print("ok\t" + text + "\n");
      }
    }
    out.flush();
  }

  static byte[] unhex(String s) {
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }

  static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(String.format("%02x", x & 0xff));
    }
    return sb.toString();
  }
}
