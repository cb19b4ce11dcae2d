// Package corpus tests flumego against real-world Flume configurations: the
// 120 files (125 agents) in testdata/configs, copied unchanged from public
// repositories (testdata/INDEX.tsv names each file's repository, path and
// agents; testdata/README.md says what is known about them).
//
// TestCorpus runs `flume-ng check` (app.Main, the command's own code path:
// every component is built, nothing is started) on every agent and compares
// each verdict with verdicts.txt: accepted, or rejected with the key (and
// value) of each error. Warnings are not recorded. A verdict that changes
// fails the test, so every change in what flumego accepts is a deliberate
// edit of verdicts.txt, reviewed in its diff. Whoever adds a component or a
// check regenerates the file in the same commit:
//
//	go test ./internal/corpus -run TestCorpus -update
//
// The format is stable and diff-friendly: one line per agent, in INDEX.tsv
// order ("<file> <agent>: accepted" or "...: rejected"), each rejected agent
// followed by its errors, one per line, tab-indented and sorted: "key =
// value", "key" when the error has no value, or "(agent) message" for an
// error about the agent as a whole.
package corpus
