tracepoint:syscalls:sys_enter_openat (p0_tracepoint, 8 bytes of stack):
p0_tracepoint:
	  ; printf_openat.bt:1:38
	 0: MovReg dst: r6 src: r1
	  ; printf_openat.bt:1:38
	 1: StMemW dst: rfp src: r0 off: -8 imm: 0
	  ; printf_openat.bt:1:38
	 2: LoadMapPtr dst: r1 fd: 0 <scratch>
	  ; printf_openat.bt:1:38
	 4: MovReg dst: r2 src: rfp
	  ; printf_openat.bt:1:38
	 5: AddImm dst: r2 imm: -8
	  ; printf_openat.bt:1:38
	 6: Call FnMapLookupElem
	  ; printf_openat.bt:1:38
	 7: MovReg dst: r7 src: r0
	  ; printf_openat.bt:1:38
	 8: JEqImm dst: r0 off: -1 imm: 0 <L1>
	  ; printf_openat.bt:1:1
	 9: Call FnGetCurrentPidTgid
	  ; printf_openat.bt:1:1
	10: RShImm dst: r0 imm: 32
	  ; printf_openat.bt:1:1
	11: JEqImm dst: r0 off: -1 imm: 4242 <L1>
	  ; printf_openat.bt:1:40
	12: StMemDW dst: r7 src: r0 off: 0 imm: 0
	  ; printf_openat.bt:1:58
	13: MovReg dst: r1 src: r7
	  ; printf_openat.bt:1:58
	14: AddImm dst: r1 imm: 8
	  ; printf_openat.bt:1:58
	15: MovImm dst: r2 imm: 16
	  ; printf_openat.bt:1:58
	16: Call FnGetCurrentComm
	  ; printf_openat.bt:1:68
	17: LdXMemDW dst: r3 src: r6 off: 24 imm: 0
	  ; printf_openat.bt:1:68
	18: MovImm dst: r2 imm: 1024
	  ; printf_openat.bt:1:64
	19: MovReg dst: r1 src: r7
	  ; printf_openat.bt:1:64
	20: AddImm dst: r1 imm: 24
	  ; printf_openat.bt:1:64
	21: Call FnProbeReadUserStr
	  ; printf_openat.bt:1:40
	22: LoadMapPtr dst: r1 fd: 0 <events>
	  ; printf_openat.bt:1:40
	24: MovImm dst: r3 imm: 1048
	  ; printf_openat.bt:1:40
	25: MovImm dst: r4 imm: 0
	  ; printf_openat.bt:1:40
	26: MovReg dst: r2 src: r7
	  ; printf_openat.bt:1:40
	27: Call FnRingbufOutput
	  ; printf_openat.bt:1:40
	28: RShImm dst: r0 imm: 63
	  ; printf_openat.bt:1:40
	29: LoadMapValue dst: r1, fd: 0 off: 16 <globals>
	  ; printf_openat.bt:1:40
	31: StXAtomicAddDW dst: r1 src: r0 off: 0
L1:
	  ; printf_openat.bt:1:38
	32: MovImm dst: r0 imm: 0
	  ; printf_openat.bt:1:38
	33: Exit

