// JDK answers questions about the JDK's own behaviour for flumego's tests
// (package jdktest): regular expressions, SimpleDateFormat, Calendar
// arithmetic and charsets, on requests read from standard input.
//
// Each input line is an operation and its arguments, tab-separated, each
// argument hex-encoded UTF-8 (or raw bytes for DECODE). Each output line is
// "OK" and hex-encoded results, tab-separated, or "ERR".
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.Locale;
import java.util.TimeZone;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class JDK {
    static byte[] unhexBytes(String h) {
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    static String unhex(String h) {
        return new String(unhexBytes(h), StandardCharsets.UTF_8);
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte c : b) {
            sb.append(String.format("%02x", c & 0xff));
        }
        return sb.toString();
    }

    static String hex(String s) {
        return hex(s.getBytes(StandardCharsets.UTF_8));
    }

    static List<String> eval(String op, String[] a) throws Exception {
        List<String> out = new ArrayList<>();
        switch (op) {
            case "MATCH": { // pattern, text: "1" and each group ("-" for none), or "0"
                Matcher m = Pattern.compile(a[0]).matcher(a[1]);
                if (!m.matches()) {
                    out.add("0");
                    break;
                }
                out.add("1");
                for (int g = 1; g <= m.groupCount(); g++) {
                    out.add(m.group(g) == null ? "-" : "+" + m.group(g));
                }
                break;
            }
            case "REPLACE": // regex, replacement, text
                out.add(a[2].replaceAll(a[0], a[1]));
                break;
            case "SDF": { // pattern, time zone, text: lenient parse, epoch ms
                SimpleDateFormat f = new SimpleDateFormat(a[0], Locale.ENGLISH);
                f.setTimeZone(TimeZone.getTimeZone(a[1]));
                out.add(String.valueOf(f.parse(a[2]).getTime()));
                break;
            }
            case "ADD": { // time zone, epoch ms, field (MONTH or YEAR), amount
                Calendar c = Calendar.getInstance(TimeZone.getTimeZone(a[0]));
                c.setTimeInMillis(Long.parseLong(a[1]));
                c.add(a[2].equals("YEAR") ? Calendar.YEAR : Calendar.MONTH, Integer.parseInt(a[3]));
                out.add(String.valueOf(c.getTimeInMillis()));
                break;
            }
            default:
                throw new IllegalArgumentException(op);
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, false, "UTF-8");
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.split("\t", -1);
            String op = f[0];
            try {
                String result;
                if (op.equals("DECODE") || op.equals("ENCODE")) {
                    // charset, bytes (hex): DECODE answers new String(b, cs)
                    // encoded as UTF-8; ENCODE answers the UTF-8 text's
                    // getBytes(cs).
                    Charset cs = Charset.forName(unhex(f[1]));
                    byte[] b = unhexBytes(f[2]);
                    result = op.equals("DECODE") ? hex(new String(b, cs)) : hex(new String(b, StandardCharsets.UTF_8).getBytes(cs));
                } else {
                    String[] a = new String[f.length - 1];
                    for (int i = 1; i < f.length; i++) {
                        a[i - 1] = unhex(f[i]);
                    }
                    StringBuilder sb = new StringBuilder();
                    for (String r : eval(op, a)) {
                        sb.append('\t').append(hex(r));
                    }
                    result = sb.length() > 0 ? sb.substring(1) : "";
                }
                out.println("OK\t" + result);
            } catch (Exception e) {
                out.println("ERR");
            }
            out.flush();
        }
    }
}
