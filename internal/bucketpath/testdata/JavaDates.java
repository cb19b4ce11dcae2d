// The JDK's answer for bucketpath's time escapes: each input line is
// "<escape char>\t<epoch ms>\t<time zone id>\t<round unit 0-3>\t<round value>";
// each output line is what java.util's TimeZone, Calendar and
// SimpleDateFormat make of it (Flume's BucketPath formats with them).
// Run as a single-file program: java JavaDates.java < cases
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.text.SimpleDateFormat;
import java.util.Calendar;
import java.util.Date;
import java.util.Locale;
import java.util.TimeZone;

public class JavaDates {
  static String pattern(char c) {
    switch (c) {
      case 'a': return "EEE";
      case 'A': return "EEEE";
      case 'b': return "MMM";
      case 'B': return "MMMM";
      case 'c': return "EEE MMM d HH:mm:ss yyyy";
      case 'd': return "dd";
      case 'e': return "d";
      case 'D': return "MM/dd/yy";
      case 'H': return "HH";
      case 'I': return "hh";
      case 'j': return "DDD";
      case 'k': return "H";
      case 'l': return "h";
      case 'm': return "MM";
      case 'M': return "mm";
      case 'n': return "M";
      case 'p': return "a";
      case 'S': return "ss";
      case 'y': return "yy";
      case 'Y': return "yyyy";
      case 'z': return "ZZZ";
      default: throw new IllegalArgumentException("escape " + c);
    }
  }

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, false, "UTF-8");
    for (String line; (line = in.readLine()) != null; ) {
      String[] f = line.split("\t", -1);
      char c = f[0].charAt(0);
      long ts = Long.parseLong(f[1]);
      TimeZone tz = TimeZone.getTimeZone(f[2]);
      int unit = Integer.parseInt(f[3]);
      int value = Integer.parseInt(f[4]);
      if (unit != 0) {
        Calendar cal = Calendar.getInstance(tz);
        cal.setTimeInMillis(ts);
        int field = unit == 1 ? Calendar.SECOND : unit == 2 ? Calendar.MINUTE : Calendar.HOUR_OF_DAY;
        int v = cal.get(field);
        cal.set(field, v - v % value);
        if (unit >= 2) {
          cal.set(Calendar.SECOND, 0);
        }
        if (unit >= 3) {
          cal.set(Calendar.MINUTE, 0);
        }
        cal.set(Calendar.MILLISECOND, 0);
        ts = cal.getTimeInMillis();
      }
      if (c == 's') {
        out.println(ts / 1000);
        continue;
      }
      SimpleDateFormat fmt = new SimpleDateFormat(pattern(c), Locale.US);
      fmt.setTimeZone(tz);
      out.println(fmt.format(new Date(ts)));
    }
    out.flush();
  }
}
