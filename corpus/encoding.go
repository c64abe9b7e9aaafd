package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	xunicode "golang.org/x/text/encoding/unicode"
)

// ErrEncoding is wrapped by DecodeText when the bytes are not text in any
// encoding it knows.
var ErrEncoding = errors.New("unrecognised text encoding")

// commonSimplified and commonTraditional are about 500 of the most frequent
// Chinese characters in each script. Text decoded with the right encoding is
// mostly made of them; text decoded with a wrong one is not.
const commonSimplified = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严监察纪委巡视审计违规"
const commonTraditional = "的一是在不了有和人這中大為上個國我以要他時來用們生到作地於出就分對成會可主發年動同工也能下過子說產種面而方後多定行學法所民得經十三之進著等部度家電力裡如水化高自二理起小物現實加量都兩體制機當使點從業本去把性好應開它合還因由其些然前外天政四日那社義事平形相全表間樣與關各重新線內數正心反你明看原又麼利比或但質氣第向道命此變條只沒結解問意建月公無系軍很情者最立代想已通並提直題黨程展五果料象員革位入常文總次品式活設及管特件長求老頭基資邊流路級少圖山統接知較將組見計別她手角期根論運農指幾九區強放決西被幹做必戰先回則任取據處理府研南給色光門即保治北造百規熱領七海口東導器壓志世金增爭濟階油思術極交受聯什認六共權收證改清己美再採轉更單風切打白教速花帶安場身車例真務具萬每目至達走積示議聲報鬥完類八離華名確才科張信馬節話米整空元況今集溫傳土許步群廣石記需段界拉林律叫且究觀越織裝影算低持音眾書布復容兒須際商非驗連斷深難近礦千周委素技備半辦青省列習響約支般史感勞便團往酸歷市克何除消構稱太準精值號率族維劃選標寫存候毛親快效斯院查江型眼王按格養易置派層片始卻專狀育廠京識適屬圓包火住調滿縣局照參紅細引聽該鐵價嚴監察紀委巡視審計違規"

var commonChars = func() map[rune]bool {
	m := make(map[rune]bool, 1200)
	for _, r := range commonSimplified + commonTraditional {
		m[r] = true
	}
	return m
}()

// textScore rates decoded text: the share of its Chinese characters that are
// common ones, minus a penalty for replacement characters and control
// characters. Higher is more plausible.
func textScore(s string) float64 {
	var han, common, bad, total int
	for _, r := range s {
		total++
		switch {
		case r == utf8.RuneError:
			bad++
		case unicode.Is(unicode.Han, r):
			han++
			if commonChars[r] {
				common++
			}
		case r < 0x20 && r != '\n' && r != '\r' && r != '\t':
			bad++
		case r >= 0xE000 && r <= 0xF8FF: // private use: a sign of a wrong code page
			bad++
		}
	}
	if total == 0 {
		return 0
	}
	score := -10 * float64(bad) / float64(total)
	if han > 0 {
		score += float64(common) / float64(han)
	}
	return score
}

// DecodeText converts the bytes of a text file to a UTF-8 string and names
// the encoding it found: UTF-8 (with or without BOM), UTF-16 (with BOM, or
// without one when the NUL bytes give it away), GB18030 (which covers GBK
// and GB2312) or Big5. Line ends are normalised to \n. It returns an error
// wrapping ErrEncoding for binary data (NUL bytes outside UTF-16) or bytes
// that are valid in no candidate encoding.
func DecodeText(data []byte) (string, string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return decodeWith(data[3:], nil, "UTF-8 (BOM)")
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return decodeWith(data, xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM), "UTF-16LE")
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return decodeWith(data, xunicode.UTF16(xunicode.BigEndian, xunicode.ExpectBOM), "UTF-16BE")
	}
	if enc, name, ok := sniffUTF16(data); ok {
		return decodeWith(data, enc, name)
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return "", "", fmt.Errorf("%w: the file contains NUL bytes (binary data?)", ErrEncoding)
	}
	if utf8.Valid(data) {
		return decodeWith(data, nil, "UTF-8")
	}
	// Not valid UTF-8: pick the candidate that reads most like Chinese.
	type cand struct {
		name  string
		enc   encoding.Encoding
		text  string
		score float64
	}
	var best *cand
	for _, c := range []cand{
		{name: "GB18030", enc: simplifiedchinese.GB18030},
		{name: "Big5", enc: traditionalchinese.Big5},
		{name: "UTF-8 (with invalid bytes)"},
	} {
		text := string(data)
		if c.enc != nil {
			out, err := c.enc.NewDecoder().Bytes(data)
			if err != nil {
				continue
			}
			text = string(out)
		} else {
			text = strings.ToValidUTF8(text, "\uFFFD")
		}
		c.text, c.score = text, textScore(text)
		if best == nil || c.score > best.score {
			cc := c
			best = &cc
		}
	}
	if best == nil || best.score < 0.2 {
		return "", "", fmt.Errorf("%w: not UTF-8, and neither GB18030 nor Big5 gives readable Chinese", ErrEncoding)
	}
	return normalizeNewlines(best.text), best.name, nil
}

// sniffUTF16 recognises UTF-16 without a BOM by its NUL bytes: text in the
// Basic Latin range has a NUL in every other byte.
func sniffUTF16(data []byte) (encoding.Encoding, string, bool) {
	n := min(len(data), 4096) &^ 1
	if n < 4 {
		return nil, "", false
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if data[i] == 0 {
			even++
		}
		if data[i+1] == 0 {
			odd++
		}
	}
	pairs := n / 2
	switch {
	case odd > pairs/4 && even < pairs/20:
		return xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM), "UTF-16LE (no BOM)", true
	case even > pairs/4 && odd < pairs/20:
		return xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM), "UTF-16BE (no BOM)", true
	}
	// Chinese UTF-16 has few NULs; judge by how the text reads.
	if len(data)%2 == 0 && !utf8.Valid(data) {
		le, err1 := xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM).NewDecoder().Bytes(data[:n])
		if err1 == nil && textScore(string(le)) > 0.6 && strings.Count(string(le), "\x00") == 0 {
			gb, _ := simplifiedchinese.GB18030.NewDecoder().Bytes(data[:n])
			if textScore(string(le)) > textScore(string(gb))+0.2 {
				return xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM), "UTF-16LE (no BOM)", true
			}
		}
	}
	return nil, "", false
}

func decodeWith(data []byte, enc encoding.Encoding, name string) (string, string, error) {
	text := string(data)
	if enc != nil {
		out, err := enc.NewDecoder().Bytes(data)
		if err != nil {
			return "", "", fmt.Errorf("%w: %s: %v", ErrEncoding, name, err)
		}
		text = string(out)
	}
	text = strings.TrimPrefix(text, "\uFEFF")
	if enc != nil {
		// A declared or sniffed encoding that yields replacement characters
		// was the wrong guess, or the bytes are not text.
		if bad := strings.Count(text, "\uFFFD"); bad > 0 && bad*100 > utf8.RuneCountInString(text) {
			return "", "", fmt.Errorf("%w: %s decoding gives %d invalid characters", ErrEncoding, name, bad)
		}
	}
	if strings.ContainsRune(text, 0) {
		return "", "", fmt.Errorf("%w: the text contains NUL characters (binary data?)", ErrEncoding)
	}
	return normalizeNewlines(strings.ToValidUTF8(text, "\uFFFD")), name, nil
}

func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}
