// JavaSemantics answers, with the JDK itself, how the DataHub Flume plugin
// reads a value: it runs the JDK calls the plugin relies on (trim,
// Long.parseLong, Double.parseDouble, new BigDecimal(..).toPlainString(),
// String.split(regex, -1), String.hashCode, SimpleDateFormat.parse) on the
// requests read from standard input. Used by TestJavaSemantics as the
// reference implementation; run with `java -Duser.timezone=UTC JavaSemantics.java`.
//
// Each input line is OP, then its arguments, tab-separated and hex-encoded
// (UTF-8). Each output line is "OK\t<hex result>" or "ERR".
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.text.SimpleDateFormat;

public class JavaSemantics {
    static String unhex(String h) {
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    static String hex(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte c : s.getBytes(StandardCharsets.UTF_8)) {
            sb.append(String.format("%02x", c & 0xff));
        }
        return sb.toString();
    }

    static String eval(String op, String[] a) throws Exception {
        switch (op) {
            case "SPLIT": {
                String[] parts = a[1].split(a[0], -1);
                return String.join("\u0000", parts) + "\u0000" + parts.length;
            }
            case "HASH":
                return String.valueOf(a[0].hashCode());
            case "DATE":
                return String.valueOf(new SimpleDateFormat(a[0]).parse(a[1]).getTime());
        }
        String v = a[0].trim();
        switch (op) {
            case "BIGINT":
            case "TIMESTAMP":
                return String.valueOf(Long.parseLong(v));
            case "INTEGER":
                return String.valueOf(Integer.parseInt(v));
            case "SMALLINT": {
                int i = Integer.parseInt(v);
                if (i != (short) i) throw new ArithmeticException("range");
                return String.valueOf((short) i);
            }
            case "TINYINT": {
                int i = Integer.parseInt(v);
                if (i != (byte) i) throw new ArithmeticException("range");
                return String.valueOf((byte) i);
            }
            case "DOUBLE":
                return String.valueOf(Double.parseDouble(v));
            case "FLOAT":
                return String.valueOf(Float.parseFloat(v));
            case "BOOLEAN":
                return String.valueOf(Boolean.parseBoolean(v));
            case "DECIMAL":
                return new BigDecimal(v).toPlainString();
            case "STRING":
                return v;
        }
        throw new IllegalArgumentException(op);
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        for (String line; (line = in.readLine()) != null; ) {
            String[] f = line.split("\t", -1);
            String[] a = new String[f.length - 1];
            for (int i = 1; i < f.length; i++) a[i - 1] = unhex(f[i]);
            String result;
            try {
                result = "OK\t" + hex(eval(f[0], a));
            } catch (Exception e) {
                result = "ERR";
            }
            out.append(result).append('\n');
        }
        System.out.print(out);
    }
}
