tracepoint:syscalls:sys_enter_openat (p0_tracepoint, 8 bytes of stack):
p0_tracepoint:
	  ; printf_openat.bt:1:38
	 0: MovReg dst: r6 src: r1
	  ; printf_openat.bt:1:1
	 1: Call FnGetCurrentPidTgid
	 2: RShImm dst: r0 imm: 32
	 3: JEqImm dst: r0 off: -1 imm: 4242 <L3>
	  ; printf_openat.bt:1:40
	 4: LoadMapPtr dst: r1 fd: 0 <events>
	 6: MovImm dst: r2 imm: 1048
	 7: MovImm dst: r3 imm: 0
	 8: Call FnRingbufReserve
	 9: MovReg dst: r7 src: r0
	10: JEqImm dst: r0 off: -1 imm: 0 <L2>
	11: StMemDW dst: r7 src: r0 off: 0 imm: 0
	  ; printf_openat.bt:1:58
	12: MovReg dst: r1 src: r7
	13: AddImm dst: r1 imm: 8
	14: MovImm dst: r2 imm: 16
	15: Call FnGetCurrentComm
	  ; printf_openat.bt:1:68
	16: LdXMemDW dst: r3 src: r6 off: 24 imm: 0
	17: MovImm dst: r2 imm: 1024
	  ; printf_openat.bt:1:64
	18: MovReg dst: r1 src: r7
	19: AddImm dst: r1 imm: 24
	20: Call FnProbeReadUserStr
	  ; printf_openat.bt:1:40
	21: MovImm dst: r2 imm: 0
	22: MovReg dst: r1 src: r7
	23: Call FnRingbufSubmit
	24: Ja off: -1 <L3>
L2:
	25: MovImm dst: r1 imm: 1
	26: LoadMapValue dst: r2, fd: 0 off: 16 <globals>
	28: StXAtomicAddDW dst: r2 src: r1 off: 0
L3:
	  ; printf_openat.bt:1:38
	29: MovImm dst: r0 imm: 0
	30: Exit

