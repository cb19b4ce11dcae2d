package datahubfake

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ParseSchema reads a topic layout from text:
//
//   - "BLOB" (any case): a blob topic;
//   - a DataHub RecordSchema document, {"fields":[{"name":"a","type":"STRING","notnull":false},...]};
//   - a compact list "name:TYPE[:notnull],...", e.g. "id:BIGINT:notnull,msg:STRING";
//     TYPE defaults to STRING.
func ParseSchema(text string) (TopicSpec, error) {
	text = strings.TrimSpace(text)
	switch {
	case strings.EqualFold(text, Blob):
		return TopicSpec{RecordType: Blob}, nil
	case strings.HasPrefix(text, "{"):
		var doc struct {
			Fields []Field `json:"fields"`
		}
		if err := json.Unmarshal([]byte(text), &doc); err != nil {
			return TopicSpec{}, fmt.Errorf("schema: %w", err)
		}
		for i := range doc.Fields {
			doc.Fields[i].Type = strings.ToUpper(doc.Fields[i].Type)
		}
		return TopicSpec{RecordType: Tuple, Fields: doc.Fields}, checkFields(doc.Fields)
	}
	var fields []Field
	for _, item := range strings.Split(text, ",") {
		parts := strings.Split(strings.TrimSpace(item), ":")
		f := Field{Name: parts[0], Type: "STRING"}
		if len(parts) > 1 && parts[1] != "" {
			f.Type = strings.ToUpper(parts[1])
		}
		if len(parts) > 2 {
			if !strings.EqualFold(parts[2], "notnull") || len(parts) > 3 {
				return TopicSpec{}, fmt.Errorf("schema field %q: expected name:TYPE[:notnull]", item)
			}
			f.NotNull = true
		}
		fields = append(fields, f)
	}
	return TopicSpec{RecordType: Tuple, Fields: fields}, checkFields(fields)
}

func checkFields(fields []Field) error {
	if len(fields) == 0 {
		return fmt.Errorf("schema: no fields")
	}
	seen := map[string]bool{}
	for _, f := range fields {
		if f.Name == "" || seen[f.Name] {
			return fmt.Errorf("schema: field name %q empty or repeated", f.Name)
		}
		seen[f.Name] = true
		if !knownType(f.Type) {
			return fmt.Errorf("schema: field %q has unknown type %q", f.Name, f.Type)
		}
	}
	return nil
}
