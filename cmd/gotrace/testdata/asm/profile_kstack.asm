profile:hz:99 (p0_profile, 16 bytes of stack):
p0_profile:
	  ; profile_kstack.bt:1:19
	 0: LoadMapPtr dst: r2 fd: 0 <stack_127>
	  ; profile_kstack.bt:1:19
	 2: MovImm dst: r3 imm: 0
	  ; profile_kstack.bt:1:19
	 3: Call FnGetStackid
	  ; profile_kstack.bt:1:19
	 4: StXMemDW dst: rfp src: r0 off: -16 imm: 0
	  ; profile_kstack.bt:1:19
	 5: LoadMapPtr dst: r6 fd: 0 <m0_>
	  ; profile_kstack.bt:1:19
	 7: MovReg dst: r7 src: rfp
	  ; profile_kstack.bt:1:19
	 8: AddImm dst: r7 imm: -16
	  ; profile_kstack.bt:1:19
	 9: MovReg dst: r1 src: r6
	  ; profile_kstack.bt:1:19
	10: MovReg dst: r2 src: r7
	  ; profile_kstack.bt:1:19
	11: Call FnMapLookupElem
	  ; profile_kstack.bt:1:19
	12: JEqImm dst: r0 off: -1 imm: 0 <L2>
	  ; profile_kstack.bt:1:19
	13: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	  ; profile_kstack.bt:1:19
	14: AddImm dst: r1 imm: 1
	  ; profile_kstack.bt:1:19
	15: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	  ; profile_kstack.bt:1:19
	16: Ja off: -1 <L4>
L2:
	  ; profile_kstack.bt:1:19
	17: LoadMapValue dst: r3, fd: 0 off: 40 <globals>
	  ; profile_kstack.bt:1:19
	19: MovImm dst: r4 imm: 0
	  ; profile_kstack.bt:1:19
	20: MovReg dst: r1 src: r6
	  ; profile_kstack.bt:1:19
	21: MovReg dst: r2 src: r7
	  ; profile_kstack.bt:1:19
	22: Call FnMapUpdateElem
	  ; profile_kstack.bt:1:19
	23: JNEImm dst: r0 off: -1 imm: -7 <L4>
	  ; profile_kstack.bt:1:19
	24: LoadMapValue dst: r1, fd: 0 off: 48 <globals>
	  ; profile_kstack.bt:1:19
	26: StXAtomicAddDW dst: r1 src: r0 off: 0
L4:
	  ; profile_kstack.bt:1:15
	27: MovImm dst: r0 imm: 0
	  ; profile_kstack.bt:1:15
	28: Exit

