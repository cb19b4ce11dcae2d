package file

// MountTmpfs is mountTmpfs for the external tests of this package.
var MountTmpfs = mountTmpfs

// FreeBytes is freeBytes for the external tests of this package.
var FreeBytes = freeBytes
