// Package symbolize turns addresses of traced processes into the names
// of their functions, reading every file as the process itself sees it,
// so that processes in containers (another mount namespace, where /app/srv
// may be another file than the host's /app/srv, or none) get the right
// names.
//
// # How an address becomes a name
//
//  1. The mapping. /proc/PID/maps lists the process's mappings: an
//     address range, its permissions, the offset in the file of the first
//     byte mapped, the file's device and inode, and its path in the
//     process's mount namespace. An executable mapping holding the
//     address is looked for; when none does and the mappings were read a
//     while ago, they are read again (a library loaded since with dlopen).
//  2. The file. The path in maps is the process's, not gotrace's. The
//     file is opened as /proc/PID/map_files/START-END, a link to the very
//     file the kernel mapped, whatever its path, namespace or fate since
//     (deleted, replaced by a new version); else by its path through the
//     process's root directory, /proc/PID/root/PATH, and only if it is
//     still the inode that was mapped (see OpenMapped). The open file is
//     kept: a process that exits, a container that goes away, a file
//     deleted later, all still leave the object readable, so the
//     addresses of a -c command that has exited still get their names.
//  3. The identity. An object is known by its (device, inode) while
//     its file is open, and its symbol table is shared by every object
//     with the same GNU build id (.note.gnu.build-id): the same libc in
//     ten containers is read once.
//  4. The symbol table. The function symbols (STT_FUNC, STT_GNU_IFUNC)
//     of .symtab and .dynsym. A stripped object has only .dynsym; its
//     full table is in a separate debug file, found by build id
//     (/usr/lib/debug/.build-id/NN/REST.debug) or by the name its
//     .gnu_debuglink section gives (next to the object, in .debug/ next
//     to it, or under /usr/lib/debug followed by the object's directory),
//     looked for in the process's root and then the host's. A candidate
//     counts only if it is the object's: the same build id, or the CRC
//     the debug link records (see FindDebugFile).
//  5. The address. addr - START + OFFSET is the offset in the file;
//     the loadable segment (PT_LOAD) holding that offset turns it into
//     the object's own virtual address, the one its symbols use. The
//     symbol at the highest address not above it that covers it (its
//     size, or up to the next symbol for one without a size) names it:
//     function+offset. Of several names for one address (aliases), the
//     one perf would print is chosen (see rank).
//  6. Demangling. C++ names (_ZN3foo3barEv) print as their source
//     spelling (foo::bar()), as bpftrace prints them, unless its
//     cpp_demangle setting is off (Symbolizer.Demangle).
//  7. Code without a file. JIT runtimes (Java, Node, .NET) run code in
//     anonymous memory and list it in a perf map, /tmp/perf-PID.map:
//     "START SIZE NAME" lines. As bcc (and so bpftrace) does, the map is
//     read in the process's mount namespace with its pid in its own pid
//     namespace (/proc/PID/root/tmp/perf-NSPID.map), then the host's
//     /tmp/perf-PID.map; only a map owned by root or by the process's
//     owner is believed.
//  8. The vDSO. The code the kernel maps into every process ([vdso]:
//     clock_gettime, gettimeofday) has no file; it is named from
//     gotrace's own copy of the same image.
//
// The same reading through the process's view serves attach points:
// RootPath finds the file a uprobe names as the process -p PID sees it.
package symbolize
