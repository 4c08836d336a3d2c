package types

// MaxBuf is the most bytes buf() keeps (its length is one byte).
const MaxBuf = 255
