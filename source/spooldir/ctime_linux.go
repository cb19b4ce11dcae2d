package spooldir

import "syscall"

// ctime returns the time of the last change of the file's inode, in
// nanoseconds: a chmod or chown changes it, which lets a file that could
// not be read be tried again once its permissions are fixed.
func ctime(st *syscall.Stat_t) int64 { return st.Ctim.Sec*1e9 + st.Ctim.Nsec }
