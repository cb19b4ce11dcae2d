package hdfsfake

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	pb "github.com/flumego/flume/internal/hadooppb"
	"google.golang.org/protobuf/proto"
)

// A handler runs one ClientProtocol method, with f.mu held.
type handler struct {
	newRequest func() proto.Message
	handle     func(s *nnConn, req proto.Message) (proto.Message, *remoteError)
}

func method[Req proto.Message](newReq func() Req, h func(*nnConn, Req) (proto.Message, *remoteError)) handler {
	return handler{
		newRequest: func() proto.Message { return newReq() },
		handle:     func(s *nnConn, req proto.Message) (proto.Message, *remoteError) { return h(s, req.(Req)) },
	}
}

// nameNodeMethods are the ClientProtocol methods the fake implements.
var nameNodeMethods map[string]handler

func init() {
	nameNodeMethods = map[string]handler{
		"getServerDefaults":      method(func() *pb.GetServerDefaultsRequestProto { return &pb.GetServerDefaultsRequestProto{} }, (*nnConn).getServerDefaults),
		"getFileInfo":            method(func() *pb.GetFileInfoRequestProto { return &pb.GetFileInfoRequestProto{} }, (*nnConn).getFileInfo),
		"getListing":             method(func() *pb.GetListingRequestProto { return &pb.GetListingRequestProto{} }, (*nnConn).getListing),
		"getBlockLocations":      method(func() *pb.GetBlockLocationsRequestProto { return &pb.GetBlockLocationsRequestProto{} }, (*nnConn).getBlockLocations),
		"mkdirs":                 method(func() *pb.MkdirsRequestProto { return &pb.MkdirsRequestProto{} }, (*nnConn).mkdirs),
		"create":                 method(func() *pb.CreateRequestProto { return &pb.CreateRequestProto{} }, (*nnConn).create),
		"append":                 method(func() *pb.AppendRequestProto { return &pb.AppendRequestProto{} }, (*nnConn).append),
		"addBlock":               method(func() *pb.AddBlockRequestProto { return &pb.AddBlockRequestProto{} }, (*nnConn).addBlock),
		"abandonBlock":           method(func() *pb.AbandonBlockRequestProto { return &pb.AbandonBlockRequestProto{} }, (*nnConn).abandonBlock),
		"updateBlockForPipeline": method(func() *pb.UpdateBlockForPipelineRequestProto { return &pb.UpdateBlockForPipelineRequestProto{} }, (*nnConn).updateBlockForPipeline),
		"fsync":                  method(func() *pb.FsyncRequestProto { return &pb.FsyncRequestProto{} }, (*nnConn).fsync),
		"complete":               method(func() *pb.CompleteRequestProto { return &pb.CompleteRequestProto{} }, (*nnConn).complete),
		"rename":                 method(func() *pb.RenameRequestProto { return &pb.RenameRequestProto{} }, (*nnConn).rename),
		"rename2":                method(func() *pb.Rename2RequestProto { return &pb.Rename2RequestProto{} }, (*nnConn).rename2),
		"delete":                 method(func() *pb.DeleteRequestProto { return &pb.DeleteRequestProto{} }, (*nnConn).delete),
		"renewLease":             method(func() *pb.RenewLeaseRequestProto { return &pb.RenewLeaseRequestProto{} }, (*nnConn).renewLease),
		"recoverLease":           method(func() *pb.RecoverLeaseRequestProto { return &pb.RecoverLeaseRequestProto{} }, (*nnConn).recoverLease),
		"isFileClosed":           method(func() *pb.IsFileClosedRequestProto { return &pb.IsFileClosedRequestProto{} }, (*nnConn).isFileClosed),
		"truncate":               method(func() *pb.TruncateRequestProto { return &pb.TruncateRequestProto{} }, (*nnConn).truncate),
	}
}

// clientProtocolMethods names every method of Hadoop 3's ClientProtocol;
// those the fake does not implement are refused with
// UnsupportedOperationException, other names with RpcNoSuchMethodException.
var clientProtocolMethods = map[string]bool{}

func init() {
	for _, m := range strings.Fields(`getBlockLocations getServerDefaults create append setReplication
		setStoragePolicy unsetStoragePolicy getStoragePolicy getStoragePolicies setPermission setOwner
		abandonBlock addBlock getAdditionalDatanode complete reportBadBlocks concat truncate rename
		rename2 delete mkdirs getListing getBatchedListing renewLease recoverLease getFsStats
		getFsReplicatedBlockStats getFsECBlockGroupStats getDatanodeReport getDatanodeStorageReport
		getPreferredBlockSize setSafeMode saveNamespace rollEdits restoreFailedStorage refreshNodes
		finalizeUpgrade upgradeStatus rollingUpgrade listCorruptFileBlocks metaSave getFileInfo
		getLocatedFileInfo addCacheDirective modifyCacheDirective removeCacheDirective
		listCacheDirectives addCachePool modifyCachePool removeCachePool listCachePools
		getFileLinkInfo getContentSummary setQuota fsync setTimes createSymlink getLinkTarget
		updateBlockForPipeline updatePipeline getDelegationToken renewDelegationToken
		cancelDelegationToken setBalancerBandwidth getDataEncryptionKey createSnapshot renameSnapshot
		allowSnapshot disallowSnapshot getSnapshottableDirListing deleteSnapshot getSnapshotDiffReport
		getSnapshotDiffReportListing isFileClosed modifyAclEntries removeAclEntries removeDefaultAcl
		removeAcl setAcl getAclStatus setXAttr getXAttrs listXAttrs removeXAttr checkAccess
		createEncryptionZone listEncryptionZones reencryptEncryptionZone listReencryptionStatus
		getEZForPath setErasureCodingPolicy unsetErasureCodingPolicy getECTopologyResultForPolicies
		getCurrentEditLogTxid getEditsFromTxid getErasureCodingPolicies addErasureCodingPolicies
		removeErasureCodingPolicy enableErasureCodingPolicy disableErasureCodingPolicy
		getErasureCodingPolicy getErasureCodingCodecs getQuotaUsage listOpenFiles msync
		satisfyStoragePolicy getHAServiceState`) {
		clientProtocolMethods[m] = true
	}
}

func unsupported(what string) *remoteError {
	return &remoteError{ExUnsupported, "the flumego HDFS fake does not implement " + what}
}

func (s *nnConn) getServerDefaults(*pb.GetServerDefaultsRequestProto) (proto.Message, *remoteError) {
	c := s.f.cfg
	return &pb.GetServerDefaultsResponseProto{ServerDefaults: &pb.FsServerDefaultsProto{
		BlockSize:        proto.Uint64(uint64(c.BlockSize)),
		BytesPerChecksum: proto.Uint32(uint32(c.BytesPerChecksum)),
		WritePacketSize:  proto.Uint32(64 << 10),
		Replication:      proto.Uint32(uint32(c.Replication)),
		FileBufferSize:   proto.Uint32(4096),
		TrashInterval:    proto.Uint64(0),
		ChecksumType:     pb.ChecksumTypeProto_CHECKSUM_CRC32C.Enum(),
	}}, nil
}

// status is the HdfsFileStatusProto of n under the local name name.
func (f *Fake) status(n *inode, name string) *pb.HdfsFileStatusProto {
	st := &pb.HdfsFileStatusProto{
		Path:             []byte(name),
		Permission:       &pb.FsPermissionProto{Perm: proto.Uint32(n.perm)},
		Owner:            proto.String(n.owner),
		Group:            proto.String(n.group),
		ModificationTime: proto.Uint64(uint64(n.mtime)),
		AccessTime:       proto.Uint64(uint64(n.atime)),
		FileId:           proto.Uint64(n.id),
		StoragePolicy:    proto.Uint32(0),
	}
	if n.isDir() {
		st.FileType = pb.HdfsFileStatusProto_IS_DIR.Enum()
		st.Length = proto.Uint64(0)
		st.ChildrenNum = proto.Int32(int32(len(n.children)))
	} else {
		st.FileType = pb.HdfsFileStatusProto_IS_FILE.Enum()
		st.Length = proto.Uint64(f.fileLength(n))
		st.BlockReplication = proto.Uint32(n.replication)
		st.Blocksize = proto.Uint64(n.blockSize)
		st.ChildrenNum = proto.Int32(0)
	}
	return st
}

func (s *nnConn) getFileInfo(req *pb.GetFileInfoRequestProto) (proto.Message, *remoteError) {
	parts, rerr := splitPath(req.GetSrc())
	if rerr != nil {
		return nil, rerr
	}
	n := s.f.walk(parts)
	if n == nil {
		return &pb.GetFileInfoResponseProto{}, nil
	}
	return &pb.GetFileInfoResponseProto{Fs: s.f.status(n, "")}, nil
}

func (s *nnConn) getListing(req *pb.GetListingRequestProto) (proto.Message, *remoteError) {
	if req.GetNeedLocation() {
		return nil, unsupported("getListing with needLocation")
	}
	parts, rerr := splitPath(req.GetSrc())
	if rerr != nil {
		return nil, rerr
	}
	f := s.f
	n := f.walk(parts)
	if n == nil {
		return &pb.GetListingResponseProto{}, nil
	}
	if !n.isDir() {
		// A file lists as itself, under an empty name.
		return &pb.GetListingResponseProto{DirList: &pb.DirectoryListingProto{
			PartialListing: []*pb.HdfsFileStatusProto{f.status(n, "")}, RemainingEntries: proto.Uint32(0)}}, nil
	}
	after := string(req.GetStartAfter())
	list := &pb.DirectoryListingProto{}
	children := n.sortedChildren()
	i := 0
	for i < len(children) && children[i].name <= after {
		i++
	}
	for ; i < len(children) && len(list.PartialListing) < f.cfg.ListingLimit; i++ {
		list.PartialListing = append(list.PartialListing, f.status(children[i], children[i].name))
	}
	list.RemainingEntries = proto.Uint32(uint32(len(children) - i))
	return &pb.GetListingResponseProto{DirList: list}, nil
}

func (s *nnConn) mkdirs(req *pb.MkdirsRequestProto) (proto.Message, *remoteError) {
	parts, rerr := splitPath(req.GetSrc())
	if rerr != nil {
		return nil, rerr
	}
	f := s.f
	if len(parts) == 0 {
		return &pb.MkdirsResponseProto{Result: proto.Bool(true)}, nil
	}
	if !req.GetCreateParent() {
		_, missing, file := f.parentOf(parts)
		if missing != "" {
			return nil, errFileNotFound("Parent directory doesn't exist: " + missing)
		}
		if file != "" {
			return nil, &remoteError{ExParentNotDirectory, file + " (is not a directory)"}
		}
	}
	if _, rerr := f.mkdirs(parts, req.GetMasked().GetPerm()&0o7777, s.user); rerr != nil {
		return nil, rerr
	}
	return &pb.MkdirsResponseProto{Result: proto.Bool(true)}, nil
}

// checkOpen is FSNamesystem.recoverLeaseInternal for a file another create
// or append finds open: it refuses, because the lease is held.
func (s *nnConn) checkOpen(n *inode, op, src, holder string) *remoteError {
	l := n.lease
	if l == nil {
		return nil
	}
	prefix := fmt.Sprintf("Failed to %s %s for %s for client %s because ", op, src, holder, s.machine)
	if l.holder == holder {
		return &remoteError{ExAlreadyBeingCreated, prefix + "current leaseholder is trying to recreate file."}
	}
	return &remoteError{ExAlreadyBeingCreated, prefix + "this file lease is currently owned by " + l.holder + " on " + l.machine}
}

func (s *nnConn) create(req *pb.CreateRequestProto) (proto.Message, *remoteError) {
	src := req.GetSrc()
	parts, rerr := splitPath(src)
	if rerr != nil {
		return nil, rerr
	}
	f := s.f
	flag := req.GetCreateFlag()
	switch {
	case flag&uint32(pb.CreateFlagProto_APPEND) != 0:
		return nil, unsupported("create with the APPEND flag")
	case flag&uint32(pb.CreateFlagProto_LAZY_PERSIST) != 0:
		return nil, unsupported("create with the LAZY_PERSIST flag")
	case req.GetEcPolicyName() != "":
		return nil, unsupported("erasure coding policies")
	case req.GetStoragePolicy() != "":
		return nil, unsupported("storage policies")
	}
	if r := req.GetReplication(); r < 1 || r > 512 {
		return nil, errIO(fmt.Sprintf("Requested replication factor of %d is out of range [1, 512] for %s", r, src))
	}
	bs := int64(req.GetBlockSize())
	if bs < f.cfg.MinBlockSize {
		return nil, errIO(fmt.Sprintf("Specified block size is less than configured minimum value (dfs.namenode.fs-limits.min-block-size): %d < %d", bs, f.cfg.MinBlockSize))
	}
	if bs%int64(f.cfg.BytesPerChecksum) != 0 {
		return nil, errIO(fmt.Sprintf("Invalid values: dfs.bytes-per-checksum (=%d) must divide block size (=%d).", f.cfg.BytesPerChecksum, bs))
	}
	if len(parts) == 0 {
		return nil, &remoteError{ExFileAlreadyExists, "/ already exists as a directory"}
	}
	holder := req.GetClientName()
	if existing := f.walk(parts); existing != nil {
		if existing.isDir() {
			return nil, &remoteError{ExFileAlreadyExists, src + " already exists as a directory"}
		}
		if rerr := s.checkOpen(existing, "CREATE_FILE", src, holder); rerr != nil {
			return nil, rerr
		}
		if flag&uint32(pb.CreateFlagProto_OVERWRITE) == 0 {
			return nil, &remoteError{ExFileAlreadyExists, src + " for client " + s.machine + " already exists"}
		}
		f.removeTree(existing)
	} else if flag&uint32(pb.CreateFlagProto_CREATE) == 0 {
		return nil, errFileNotFound("Can't overwrite non-existent " + src + " for client " + s.machine)
	}
	dir, missing, file := f.parentOf(parts)
	if file != "" {
		return nil, &remoteError{ExParentNotDirectory, file + " (is not a directory)"}
	}
	if missing != "" {
		if !req.GetCreateParent() {
			return nil, errFileNotFound("Parent directory doesn't exist: " + missing)
		}
		// Missing parents get the directory default 0755 less the
		// client's umask bits of masked, as FSDirMkdirOp does roughly.
		if dir, rerr = f.mkdirs(parts[:len(parts)-1], 0o755, s.user); rerr != nil {
			return nil, rerr
		}
	}
	now := f.nowMillis()
	n := &inode{
		id: f.newID(), name: parts[len(parts)-1], parent: dir,
		perm: req.GetMasked().GetPerm() & 0o7777, owner: s.user, group: dir.group, mtime: now, atime: now,
		replication: req.GetReplication(), blockSize: uint64(bs),
		lease: &lease{holder: holder, machine: s.machine, refusals: f.refusals},
	}
	f.inodes[n.id] = n
	dir.children[n.name] = n
	dir.mtime = now
	return &pb.CreateResponseProto{Fs: f.status(n, "")}, nil
}

func (s *nnConn) append(req *pb.AppendRequestProto) (proto.Message, *remoteError) {
	src := req.GetSrc()
	parts, rerr := splitPath(src)
	if rerr != nil {
		return nil, rerr
	}
	n := s.f.walk(parts)
	switch {
	case n == nil:
		return nil, errFileNotFound("Failed to append to non-existent file " + src + " for client " + s.machine)
	case n.isDir():
		return nil, errFileNotFound("Failed to append to non-file " + src + " for client " + s.machine)
	}
	if rerr := s.checkOpen(n, "APPEND_FILE", src, req.GetClientName()); rerr != nil {
		return nil, rerr
	}
	return nil, unsupported("append to a closed file")
}

// fileForWrite finds the file a write call names, by id when the client
// gives one (as HDFS does, so that a renamed file is still found), and
// checks that holder holds its lease (FSNamesystem.checkLease).
func (s *nnConn) fileForWrite(src string, fileID uint64, holder string) (*inode, *remoteError) {
	f := s.f
	var n *inode
	if fileID != 0 {
		n = f.inodes[fileID]
	} else {
		parts, rerr := splitPath(src)
		if rerr != nil {
			return nil, rerr
		}
		n = f.walk(parts)
	}
	if n == nil || n.isDir() {
		return nil, errFileNotFound(fmt.Sprintf("File does not exist: %s (inode %d) Holder %s does not have any open files.", src, fileID, holder))
	}
	if n.lease == nil {
		return nil, &remoteError{ExLeaseExpired, fmt.Sprintf("No lease on %s (inode %d): File is not open for writing. Holder %s does not have any open files.", src, n.id, holder)}
	}
	if n.lease.holder != holder {
		return nil, &remoteError{ExLeaseExpired, fmt.Sprintf("Client (=%s) is not the lease owner (=%s: %s)", holder, n.lease.holder, src)}
	}
	return n, nil
}

func (f *Fake) datanodeInfo() *pb.DatanodeInfoProto {
	host, port, _ := net.SplitHostPort(f.dnLn.Addr().String())
	p, _ := strconv.Atoi(port)
	return &pb.DatanodeInfoProto{
		Id: &pb.DatanodeIDProto{
			IpAddr: proto.String(host), HostName: proto.String(host), DatanodeUuid: proto.String(f.dnUUID),
			XferPort: proto.Uint32(uint32(p)), InfoPort: proto.Uint32(0), IpcPort: proto.Uint32(0),
		},
		Capacity:   proto.Uint64(1 << 40),
		Remaining:  proto.Uint64(1 << 40),
		LastUpdate: proto.Uint64(uint64(f.nowMillis())),
		AdminState: pb.DatanodeInfoProto_NORMAL.Enum(),
	}
}

func (f *Fake) extended(b *block) *pb.ExtendedBlockProto {
	return &pb.ExtendedBlockProto{PoolId: proto.String(f.poolID), BlockId: proto.Uint64(b.id), GenerationStamp: proto.Uint64(b.gs), NumBytes: proto.Uint64(b.numBytes)}
}

func emptyToken() *pb.TokenProto {
	return &pb.TokenProto{Identifier: []byte{}, Password: []byte{}, Kind: proto.String(""), Service: proto.String("")}
}

func (f *Fake) located(b *block, offset uint64) *pb.LocatedBlockProto {
	return &pb.LocatedBlockProto{
		B: f.extended(b), Offset: proto.Uint64(offset), Locs: []*pb.DatanodeInfoProto{f.datanodeInfo()},
		Corrupt: proto.Bool(false), BlockToken: emptyToken(), IsCached: []bool{false},
		StorageTypes: []pb.StorageTypeProto{pb.StorageTypeProto_DISK}, StorageIDs: []string{f.storUUID},
	}
}

// commit fixes the length of n's last block as a client reports it
// (BlockManager.commitOrCompleteLastBlock).
func (f *Fake) commit(n *inode, last *pb.ExtendedBlockProto) *remoteError {
	if len(n.blocks) == 0 {
		return errIO(fmt.Sprintf("Commit of block %d of %s, which has no blocks", last.GetBlockId(), n.path()))
	}
	b := n.blocks[len(n.blocks)-1]
	if b.id != last.GetBlockId() || last.GetPoolId() != f.poolID {
		return errIO(fmt.Sprintf("Trying to commit block %s:blk_%d, which is not the last block blk_%d of %s", last.GetPoolId(), last.GetBlockId(), b.id, n.path()))
	}
	if last.GetGenerationStamp() != b.gs {
		return errIO(fmt.Sprintf("Commit block with mismatching GS. NN has blk_%d_%d, client submits blk_%d_%d", b.id, b.gs, last.GetBlockId(), last.GetGenerationStamp()))
	}
	switch b.state {
	case blockUnderConstruction:
		b.numBytes = last.GetNumBytes()
		b.state = blockCommitted
	default:
		if b.numBytes != last.GetNumBytes() {
			return errIO(fmt.Sprintf("Commit of blk_%d with length %d, committed before with %d", b.id, last.GetNumBytes(), b.numBytes))
		}
	}
	return nil
}

func (s *nnConn) addBlock(req *pb.AddBlockRequestProto) (proto.Message, *remoteError) {
	f := s.f
	src := req.GetSrc()
	n, rerr := s.fileForWrite(src, req.GetFileId(), req.GetClientName())
	if rerr != nil {
		return nil, rerr
	}
	for _, x := range req.GetExcludeNodes() {
		if x.GetId().GetDatanodeUuid() == f.dnUUID {
			return nil, errIO(fmt.Sprintf("File %s could only be written to 0 of the 1 minReplication nodes. There are 1 datanode(s) running and 1 node(s) are excluded in this operation.", src))
		}
	}
	prev := req.GetPrevious()
	switch {
	case len(n.blocks) == 0 && prev != nil:
		return nil, errIO(fmt.Sprintf("addBlock of %s names previous block blk_%d, but the file has no blocks", src, prev.GetBlockId()))
	case len(n.blocks) > 0 && prev == nil:
		return nil, errIO(fmt.Sprintf("addBlock of %s names no previous block, but the file has %d", src, len(n.blocks)))
	case prev != nil:
		last := n.blocks[len(n.blocks)-1]
		if len(n.blocks) >= 2 && prev.GetBlockId() == n.blocks[len(n.blocks)-2].id && last.state == blockUnderConstruction && last.numBytes == 0 {
			// A retried addBlock: the answer is the block allocated before.
			return &pb.AddBlockResponseProto{Block: f.located(last, f.offsetOf(n, len(n.blocks)-1))}, nil
		}
		if rerr := f.commit(n, prev); rerr != nil {
			return nil, rerr
		}
		f.tryComplete(last)
		if len(n.blocks) >= 2 && n.blocks[len(n.blocks)-2].state != blockComplete {
			return nil, &remoteError{ExNotReplicatedYet, "Not replicated yet: " + src}
		}
	}
	f.nextBlk++
	f.nextGS++
	b := &block{id: f.nextBlk, gs: f.nextGS, file: n}
	f.blocks[b.id] = b
	n.blocks = append(n.blocks, b)
	n.mtime = f.nowMillis()
	return &pb.AddBlockResponseProto{Block: f.located(b, f.offsetOf(n, len(n.blocks)-1))}, nil
}

// offsetOf is the file offset of n's block i.
func (f *Fake) offsetOf(n *inode, i int) uint64 {
	var off uint64
	for _, b := range n.blocks[:i] {
		off += b.numBytes
	}
	return off
}

func (s *nnConn) abandonBlock(req *pb.AbandonBlockRequestProto) (proto.Message, *remoteError) {
	f := s.f
	n, rerr := s.fileForWrite(req.GetSrc(), req.GetFileId(), req.GetHolder())
	if rerr != nil {
		return nil, rerr
	}
	if len(n.blocks) > 0 {
		b := n.blocks[len(n.blocks)-1]
		if b.id == req.GetB().GetBlockId() && b.state == blockUnderConstruction {
			n.blocks = n.blocks[:len(n.blocks)-1]
			delete(f.blocks, b.id)
			if r := f.replicas[b.id]; r != nil {
				if r.writer != nil {
					r.writer()
				}
				delete(f.replicas, b.id)
			}
		}
	}
	return &pb.AbandonBlockResponseProto{}, nil
}

// updateBlockForPipeline is FSNamesystem.bumpBlockGenerationStamp: it
// hands out a new generation stamp for the block under construction (the
// stored block keeps its own until updatePipeline, which the fake does not
// implement).
func (s *nnConn) updateBlockForPipeline(req *pb.UpdateBlockForPipelineRequestProto) (proto.Message, *remoteError) {
	f := s.f
	eb := req.GetBlock()
	b := f.blocks[eb.GetBlockId()]
	if b == nil {
		return nil, errIO(fmt.Sprintf("%s:blk_%d_%d does not exist.", eb.GetPoolId(), eb.GetBlockId(), eb.GetGenerationStamp()))
	}
	if b.state != blockUnderConstruction {
		return nil, errIO(fmt.Sprintf("%s:blk_%d_%d has state %s which is not under construction.", eb.GetPoolId(), eb.GetBlockId(), eb.GetGenerationStamp(), b.stateName()))
	}
	if b.file.lease == nil {
		return nil, errIO(fmt.Sprintf("The file blk_%d belonged to does not exist or it is not under construction.", b.id))
	}
	if h := req.GetClientName(); h != b.file.lease.holder {
		return nil, &remoteError{ExLeaseExpired, fmt.Sprintf("Lease mismatch on blk_%d used by %s but is accessed by %s", b.id, b.file.lease.holder, h)}
	}
	f.nextGS++
	lb := f.located(b, 0)
	lb.B.GenerationStamp = proto.Uint64(f.nextGS)
	lb.B.NumBytes = proto.Uint64(eb.GetNumBytes())
	lb.Locs, lb.IsCached, lb.StorageTypes, lb.StorageIDs = nil, nil, nil, nil
	return &pb.UpdateBlockForPipelineResponseProto{Block: lb}, nil
}

func (b *block) stateName() string {
	switch b.state {
	case blockUnderConstruction:
		return "UNDER_CONSTRUCTION"
	case blockCommitted:
		return "COMMITTED"
	}
	return "COMPLETE"
}

func (s *nnConn) fsync(req *pb.FsyncRequestProto) (proto.Message, *remoteError) {
	n, rerr := s.fileForWrite(req.GetSrc(), req.GetFileId(), req.GetClient())
	if rerr != nil {
		return nil, rerr
	}
	if l := req.GetLastBlockLength(); l > 0 && len(n.blocks) > 0 {
		if b := n.blocks[len(n.blocks)-1]; b.state == blockUnderConstruction {
			b.numBytes = uint64(l)
		}
	}
	return &pb.FsyncResponseProto{}, nil
}

// complete closes a file once all its blocks are complete
// (FSDirWriteFileOp.completeFile); until then it answers false, which the
// client retries.
func (s *nnConn) complete(req *pb.CompleteRequestProto) (proto.Message, *remoteError) {
	f := s.f
	src := req.GetSrc()
	n, rerr := s.fileForWrite(src, req.GetFileId(), req.GetClientName())
	if rerr != nil {
		// A retry of a complete whose answer was lost: the file is closed
		// and its last block is the one named.
		if rerr.class == ExLeaseExpired {
			if c := f.fileByIDOrPath(src, req.GetFileId()); c != nil && c.lease == nil && len(c.blocks) > 0 {
				if last := c.blocks[len(c.blocks)-1]; req.GetLast() != nil && last.id == req.GetLast().GetBlockId() && last.gs == req.GetLast().GetGenerationStamp() {
					return &pb.CompleteResponseProto{Result: proto.Bool(true)}, nil
				}
			}
		}
		return nil, rerr
	}
	if last := req.GetLast(); last != nil {
		if rerr := f.commit(n, last); rerr != nil {
			return nil, rerr
		}
	} else if len(n.blocks) > 0 && n.blocks[len(n.blocks)-1].state == blockUnderConstruction {
		// Nothing committed: the last block's length is still unknown.
		return &pb.CompleteResponseProto{Result: proto.Bool(false)}, nil
	}
	if len(n.blocks) > 0 && n.lease.refusals > 0 {
		// The DataNode's report of the last block is on its way: the
		// block stays COMMITTED, out of the file's length, until then.
		n.lease.refusals--
		f.stats.CompleteRefusals++
		return &pb.CompleteResponseProto{Result: proto.Bool(false)}, nil
	}
	for _, b := range n.blocks {
		f.tryComplete(b)
		if b.state != blockComplete {
			return &pb.CompleteResponseProto{Result: proto.Bool(false)}, nil
		}
	}
	n.lease = nil
	n.mtime = f.nowMillis()
	return &pb.CompleteResponseProto{Result: proto.Bool(true)}, nil
}

func (f *Fake) fileByIDOrPath(src string, id uint64) *inode {
	if id != 0 {
		return f.inodes[id]
	}
	parts, rerr := splitPath(src)
	if rerr != nil {
		return nil
	}
	return f.walk(parts)
}

// rename is the old ClientProtocol.rename: it answers false rather than
// throwing for most failures, and moves src into dst when dst is a
// directory.
func (s *nnConn) rename(req *pb.RenameRequestProto) (proto.Message, *remoteError) {
	f := s.f
	no := &pb.RenameResponseProto{Result: proto.Bool(false)}
	sp, rerr := splitPath(req.GetSrc())
	if rerr != nil {
		return nil, rerr
	}
	dp, rerr := splitPath(req.GetDst())
	if rerr != nil {
		return nil, rerr
	}
	src := f.walk(sp)
	if src == nil || len(sp) == 0 {
		return no, nil
	}
	if d := f.walk(dp); d != nil {
		if d == src {
			return &pb.RenameResponseProto{Result: proto.Bool(true)}, nil
		}
		if !d.isDir() {
			return no, nil
		}
		dp = append(dp, src.name)
		if f.walk(dp) != nil {
			return no, nil
		}
	}
	dir, missing, file := f.parentOf(dp)
	if missing != "" || file != "" {
		return no, nil
	}
	if isUnder(dir, src) {
		return nil, errIO("Rename destination " + req.GetDst() + " is a directory or file under source " + req.GetSrc())
	}
	f.move(src, dir, dp[len(dp)-1])
	return &pb.RenameResponseProto{Result: proto.Bool(true)}, nil
}

func (s *nnConn) rename2(req *pb.Rename2RequestProto) (proto.Message, *remoteError) {
	f := s.f
	if req.GetMoveToTrash() {
		return nil, unsupported("rename2 with moveToTrash")
	}
	srcPath, dstPath := req.GetSrc(), req.GetDst()
	sp, rerr := splitPath(srcPath)
	if rerr != nil {
		return nil, rerr
	}
	dp, rerr := splitPath(dstPath)
	if rerr != nil {
		return nil, rerr
	}
	src := f.walk(sp)
	if src == nil {
		return nil, errFileNotFound("rename source " + srcPath + " is not found.")
	}
	if len(sp) == 0 || len(dp) == 0 {
		return nil, errIO("rename source or destination cannot be the root")
	}
	dst := f.walk(dp)
	if dst == src {
		return nil, &remoteError{ExFileAlreadyExists, "The source " + srcPath + " and destination " + dstPath + " are the same"}
	}
	dir, missing, file := f.parentOf(dp)
	if dir != nil && isUnder(dir, src) {
		return nil, errIO("Rename destination " + dstPath + " is a directory or file under source " + srcPath)
	}
	if dst != nil {
		if !req.GetOverwriteDest() {
			return nil, &remoteError{ExFileAlreadyExists, "rename destination " + dstPath + " already exists"}
		}
		switch {
		case dst.isDir() && !src.isDir():
			return nil, errIO("Source " + srcPath + " and destination " + dstPath + " must both be directories")
		case !dst.isDir() && src.isDir():
			return nil, errIO("Source " + srcPath + " and destination " + dstPath + " must both be files")
		case dst.isDir() && len(dst.children) > 0:
			return nil, errIO("rename destination directory is not empty: " + dstPath)
		}
	}
	if missing != "" {
		return nil, errFileNotFound("rename destination parent " + dstPath + " not found.")
	}
	if file != "" {
		return nil, &remoteError{ExParentNotDirectory, "rename destination parent " + dstPath + " is a file."}
	}
	if dst != nil {
		f.removeTree(dst)
	}
	f.move(src, dir, dp[len(dp)-1])
	return &pb.Rename2ResponseProto{}, nil
}

func (f *Fake) move(n, dir *inode, name string) {
	now := f.nowMillis()
	delete(n.parent.children, n.name)
	n.parent.mtime = now
	n.parent, n.name = dir, name
	dir.children[name] = n
	dir.mtime = now
}

func (s *nnConn) delete(req *pb.DeleteRequestProto) (proto.Message, *remoteError) {
	f := s.f
	parts, rerr := splitPath(req.GetSrc())
	if rerr != nil {
		return nil, rerr
	}
	n := f.walk(parts)
	if n == nil || len(parts) == 0 {
		return &pb.DeleteResponseProto{Result: proto.Bool(false)}, nil
	}
	if n.isDir() && len(n.children) > 0 && !req.GetRecursive() {
		return nil, &remoteError{ExPathIsNotEmptyDir, "`" + req.GetSrc() + " is non empty': Directory is not empty"}
	}
	f.removeTree(n)
	return &pb.DeleteResponseProto{Result: proto.Bool(true)}, nil
}

func (s *nnConn) renewLease(req *pb.RenewLeaseRequestProto) (proto.Message, *remoteError) {
	s.f.renewals[req.GetClientName()] = s.f.cfg.Now()
	return &pb.RenewLeaseResponseProto{}, nil
}

// recoverLease is FSNamesystem.recoverLease with force: a closed file
// answers true; an open one starts block recovery and answers false. The
// recovery a real DataNode runs on its next heartbeat (fixing the last
// block at the length its replica holds) completes at once here, so the
// next call answers true.
func (s *nnConn) recoverLease(req *pb.RecoverLeaseRequestProto) (proto.Message, *remoteError) {
	f := s.f
	src := req.GetSrc()
	parts, rerr := splitPath(src)
	if rerr != nil {
		return nil, rerr
	}
	n := f.walk(parts)
	switch {
	case n == nil:
		return nil, errFileNotFound("File does not exist: " + src)
	case n.isDir():
		return nil, errFileNotFound("Path is not a file: " + src)
	case n.lease == nil:
		return &pb.RecoverLeaseResponseProto{Result: proto.Bool(true)}, nil
	}
	f.stats.Recoveries++
	done := true
	for _, b := range n.blocks {
		f.tryComplete(b)
		done = done && b.state == blockComplete
	}
	if done {
		n.lease = nil
		return &pb.RecoverLeaseResponseProto{Result: proto.Bool(true)}, nil
	}
	last := n.blocks[len(n.blocks)-1]
	if last.state == blockCommitted {
		return nil, &remoteError{ExAlreadyBeingCreated, "Failed to RECOVER_LEASE " + src + " for " + req.GetClientName() + " for client " + s.machine + " because Committed blocks are waiting to be minimally replicated. Try again later."}
	}
	// The DataNode's part: stop the writer, fix the replica at what it
	// holds, report it under a new generation stamp.
	f.nextGS++
	r := f.replicas[last.id]
	if r == nil || r.size == 0 {
		n.blocks = n.blocks[:len(n.blocks)-1]
		delete(f.blocks, last.id)
		if r != nil && r.writer != nil {
			r.writer()
		}
		delete(f.replicas, last.id)
	} else {
		if r.writer != nil {
			r.writer()
		}
		r.finalized = true
		r.gs = f.nextGS
		last.gs = f.nextGS
		last.numBytes = uint64(r.size)
		last.state = blockComplete
	}
	n.lease = nil
	n.mtime = f.nowMillis()
	return &pb.RecoverLeaseResponseProto{Result: proto.Bool(false)}, nil
}

func (s *nnConn) isFileClosed(req *pb.IsFileClosedRequestProto) (proto.Message, *remoteError) {
	n, rerr := s.f.lookupFile(req.GetSrc())
	if rerr != nil {
		return nil, rerr
	}
	return &pb.IsFileClosedResponseProto{Result: proto.Bool(n.lease == nil)}, nil
}

// truncate is FSDirTruncateOp: a cut at a block boundary drops the blocks
// after it and answers true; a cut inside a block truncates it through
// block recovery, which the fake completes at once, and answers false, as
// HDFS does (the client waits until the file is closed again).
func (s *nnConn) truncate(req *pb.TruncateRequestProto) (proto.Message, *remoteError) {
	f := s.f
	src := req.GetSrc()
	n, rerr := f.lookupFile(src)
	if rerr != nil {
		return nil, rerr
	}
	if rerr := s.checkOpen(n, "TRUNCATE_FILE", src, req.GetClientName()); rerr != nil {
		return nil, rerr
	}
	size, length := req.GetNewLength(), f.fileLength(n)
	if size > length {
		return nil, &remoteError{ExIllegalArgument, fmt.Sprintf("Cannot truncate to a larger file size. Current size: %d, truncate size: %d.", length, size)}
	}
	var off uint64
	for i, b := range n.blocks {
		if off+b.numBytes <= size {
			off += b.numBytes
			continue
		}
		for _, d := range n.blocks[i+1:] {
			delete(f.blocks, d.id)
			delete(f.replicas, d.id)
		}
		n.blocks = n.blocks[:i+1]
		n.mtime = f.nowMillis()
		if off == size {
			n.blocks = n.blocks[:i]
			delete(f.blocks, b.id)
			delete(f.replicas, b.id)
			return &pb.TruncateResponseProto{Result: proto.Bool(true)}, nil
		}
		f.nextGS++
		b.gs, b.numBytes = f.nextGS, size-off
		if r := f.replicas[b.id]; r != nil {
			r.gs, r.size = b.gs, int64(b.numBytes)
			if r.data != nil {
				r.data = r.data[:b.numBytes:b.numBytes]
			}
		}
		return &pb.TruncateResponseProto{Result: proto.Bool(false)}, nil
	}
	return &pb.TruncateResponseProto{Result: proto.Bool(true)}, nil
}

func (s *nnConn) getBlockLocations(req *pb.GetBlockLocationsRequestProto) (proto.Message, *remoteError) {
	f := s.f
	src := req.GetSrc()
	n, rerr := f.lookupFile(src)
	if rerr != nil {
		return nil, rerr
	}
	if int64(req.GetOffset()) < 0 {
		return nil, &remoteError{ExIllegalArgument, "Negative offset is not supported. File: " + src}
	}
	if int64(req.GetLength()) < 0 {
		return nil, &remoteError{ExIllegalArgument, "Negative length is not supported. File: " + src}
	}
	length := f.fileLength(n)
	lbs := &pb.LocatedBlocksProto{FileLength: proto.Uint64(length), UnderConstruction: proto.Bool(n.lease != nil)}
	start, end := req.GetOffset(), req.GetOffset()+req.GetLength()
	var off uint64
	complete := true
	for i, b := range n.blocks {
		if i == len(n.blocks)-1 && b.state != blockComplete {
			complete = false
			break
		}
		if off+b.numBytes > start && off < end {
			lbs.Blocks = append(lbs.Blocks, f.located(b, off))
		}
		off += b.numBytes
	}
	if k := len(n.blocks); k > 0 {
		lbs.LastBlock = f.located(n.blocks[k-1], f.offsetOf(n, k-1))
	}
	lbs.IsLastBlockComplete = proto.Bool(complete)
	return &pb.GetBlockLocationsResponseProto{Locations: lbs}, nil
}
