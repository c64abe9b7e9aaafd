package indexer

// BenchQueries is the fixed query mix of the benchmarks (go test -bench
// and xuncha bench): 40 single terms and 10
// two-term conjunctions over the laws (as in MEASUREMENTS.md), then phrases,
// filters and a one-character query.
var BenchQueries = []string{
	"形式主义", "国家工作人员", "行政处罚", "和解", "人民", "抚养费", "土地承包经营权", "人民法院", "行政诉讼", "国家赔偿",
	"监察机关", "违法所得", "罚款", "公职人员", "劳动合同", "知识产权", "环境保护", "消费者", "未成年人", "食品安全",
	"税收", "许可证", "证券", "检察院", "仲裁", "拘留", "没收", "滥用职权", "玩忽职守", "受贿",
	"贪污", "挪用公款", "社会保险", "安全生产", "个人信息", "数据安全", "网络安全", "著作权", "商标", "专利",
	"行政处罚 罚款", "人民法院 判决", "劳动合同 解除", "国家赔偿 请求", "土地 承包", "未成年人 保护", "食品 安全", "公职人员 处分", "监察 调查", "合同 违约",
	`"依照本法规定"`, `"构成犯罪的"`, `"县级以上人民政府"`, "人", "处罚 -罚款", "罚款 OR 拘留",
}
