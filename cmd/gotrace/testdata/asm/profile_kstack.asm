profile:hz:99 (p0_profile, 16 bytes of stack):
p0_profile:
	  ; profile_kstack.bt:1:1
	 0: LoadMapValue dst: r2, fd: 0 off: 0 <stop>
	  ; profile_kstack.bt:1:1
	 2: LdXMemDW dst: r3 src: r2 off: 0 imm: 0
	  ; profile_kstack.bt:1:1
	 3: JNEImm dst: r3 off: -1 imm: 0 <L4>
	  ; profile_kstack.bt:1:19
	 4: LoadMapPtr dst: r2 fd: 0 <stack_127>
	  ; profile_kstack.bt:1:19
	 6: MovImm dst: r3 imm: 0
	  ; profile_kstack.bt:1:19
	 7: Call FnGetStackid
	  ; profile_kstack.bt:1:19
	 8: StXMemDW dst: rfp src: r0 off: -16 imm: 0
	  ; profile_kstack.bt:1:19
	 9: LoadMapPtr dst: r6 fd: 0 <m0_>
	  ; profile_kstack.bt:1:19
	11: MovReg dst: r7 src: rfp
	  ; profile_kstack.bt:1:19
	12: AddImm dst: r7 imm: -16
	  ; profile_kstack.bt:1:19
	13: MovReg dst: r1 src: r6
	  ; profile_kstack.bt:1:19
	14: MovReg dst: r2 src: r7
	  ; profile_kstack.bt:1:19
	15: Call FnMapLookupElem
	  ; profile_kstack.bt:1:19
	16: JEqImm dst: r0 off: -1 imm: 0 <L2>
	  ; profile_kstack.bt:1:19
	17: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	  ; profile_kstack.bt:1:19
	18: AddImm dst: r1 imm: 1
	  ; profile_kstack.bt:1:19
	19: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	  ; profile_kstack.bt:1:19
	20: Ja off: -1 <L4>
L2:
	  ; profile_kstack.bt:1:19
	21: LoadMapValue dst: r3, fd: 0 off: 40 <globals>
	  ; profile_kstack.bt:1:19
	23: MovImm dst: r4 imm: 0
	  ; profile_kstack.bt:1:19
	24: MovReg dst: r1 src: r6
	  ; profile_kstack.bt:1:19
	25: MovReg dst: r2 src: r7
	  ; profile_kstack.bt:1:19
	26: Call FnMapUpdateElem
	  ; profile_kstack.bt:1:19
	27: JNEImm dst: r0 off: -1 imm: -7 <L4>
	  ; profile_kstack.bt:1:19
	28: LoadMapValue dst: r1, fd: 0 off: 48 <globals>
	  ; profile_kstack.bt:1:19
	30: StXAtomicAddDW dst: r1 src: r0 off: 0
L4:
	  ; profile_kstack.bt:1:15
	31: MovImm dst: r0 imm: 0
	  ; profile_kstack.bt:1:15
	32: Exit

