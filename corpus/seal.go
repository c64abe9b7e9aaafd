package corpus

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
)

// Every record the embedded store keeps is sealed: its JSON followed by the
// CRC-32C of that JSON (4 bytes, big-endian). bbolt checks its own page
// structure but not the bytes of a value, so a flipped bit inside a
// record's text would otherwise be read back, and served, as different
// text. unseal refuses such a record; the store reports it as ErrCorrupt.

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// seal encodes v as a sealed record.
func seal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return sealRaw(b), nil
}

// sealRaw seals an already encoded record.
func sealRaw(b []byte) []byte {
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

var errChecksum = errors.New("the record fails its checksum")

// openSeal returns the JSON of a sealed record, or errChecksum.
func openSeal(raw []byte) ([]byte, error) {
	if len(raw) < 4 {
		return nil, fmt.Errorf("%w (%d bytes long)", errChecksum, len(raw))
	}
	body := raw[:len(raw)-4]
	if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(raw[len(raw)-4:]) {
		return nil, errChecksum
	}
	return body, nil
}

// unseal checks a sealed record and decodes it into v.
func unseal(raw []byte, v any) error {
	body, err := openSeal(raw)
	if err != nil {
		return err
	}
	return json.Unmarshal(body, v)
}
