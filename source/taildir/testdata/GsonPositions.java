// Reads and writes a TAILDIR position file with Gson, the way Apache Flume
// 1.11's TaildirSource does, for source/taildir's TestPositionFileWithGson.
// Run as a single-file program with Gson on the class path:
//
//   java -cp gson.jar GsonPositions.java read FILE
//       reads FILE as Flume loads its position file (a JsonReader over an
//       array of objects, the names inode, pos and file read with nextLong and
//       nextString, any other name left unconsumed) and prints one line per
//       entry: inode, tab, pos, tab, file with \ and newlines escaped.
//       A failure is printed as "error: ..." with exit status 1.
//   java -cp gson.jar GsonPositions.java write
//       reads "inode<TAB>pos<TAB>file" lines from standard input (a file
//       name with backslash escapes for the backslash, newline and tab) and
//       prints new Gson().toJson of a list of maps with the keys inode, pos,
//       file in that order, as Flume writes its position file.

import com.google.gson.Gson;
import com.google.gson.stream.JsonReader;
import java.io.BufferedReader;
import java.io.FileReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class GsonPositions {
  public static void main(String[] args) throws Exception {
    if (args[0].equals("read")) {
      read(args[1]);
    } else {
      write();
    }
  }

  static void read(String path) {
    StringBuilder out = new StringBuilder();
    try (JsonReader reader = new JsonReader(new FileReader(path, StandardCharsets.UTF_8))) {
      reader.beginArray();
      while (reader.hasNext()) {
        Long inode = null;
        Long pos = null;
        String file = null;
        reader.beginObject();
        while (reader.hasNext()) {
          String name = reader.nextName();
          if (name.equals("inode")) {
            inode = reader.nextLong();
          } else if (name.equals("pos")) {
            pos = reader.nextLong();
          } else if (name.equals("file")) {
            file = reader.nextString();
          }
          // Any other name: its value is not consumed, as in Flume.
        }
        reader.endObject();
        if (inode == null || pos == null || file == null) {
          throw new IllegalStateException("missing value: " + inode + " " + pos + " " + file);
        }
        out.append(inode).append('\t').append(pos).append('\t').append(escape(file)).append('\n');
      }
      reader.endArray();
    } catch (Exception e) {
      System.out.println("error: " + e);
      System.exit(1);
    }
    System.out.print(out);
  }

  static void write() throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    List<Map<String, Object>> entries = new ArrayList<>();
    String line;
    while ((line = in.readLine()) != null) {
      String[] f = line.split("\t", 3);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("inode", Long.parseLong(f[0]));
      m.put("pos", Long.parseLong(f[1]));
      m.put("file", unescape(f[2]));
      entries.add(m);
    }
    System.out.write(new Gson().toJson(entries).getBytes(StandardCharsets.UTF_8));
    System.out.flush();
  }

  static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t");
  }

  static String unescape(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        b.append(c);
        continue;
      }
      char n = s.charAt(++i);
      switch (n) {
        case 'n': b.append('\n'); break;
        case 't': b.append('\t'); break;
        default: b.append(n);
      }
    }
    return b.toString();
  }
}
