package runtime

import (
	"bytes"
	"fmt"
	"testing"
)

// TestPcapFormat checks the bytes of a pcap file with one packet: the
// global header (magic, version 2.4, snap length 65535, link type RAW)
// and a record header with the time split into seconds and microseconds.
func TestPcapFormat(t *testing.T) {
	var b bytes.Buffer
	if err := writePcapHeader(&b); err != nil {
		t.Fatal(err)
	}
	if err := writePcapRecord(&b, 1700000000_123456789, []byte{0x45, 0, 0, 4}); err != nil {
		t.Fatal(err)
	}
	want := "d4c3b2a1" + "0200" + "0400" + "00000000" + "00000000" + "ffff0000" + "65000000" +
		"00f15365" + "40e20100" + "04000000" + "04000000" + "45000004"
	if got := fmt.Sprintf("%x", b.Bytes()); got != want {
		t.Errorf("pcap bytes\n got %s\nwant %s", got, want)
	}
}
