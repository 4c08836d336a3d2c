package types

// InetType is the type of ntop(): the address family as an int64 and 16
// bytes of address (the first 4 for IPv4).
var InetType = &Type{Kind: View, Size: 24, Name: "inet"}
