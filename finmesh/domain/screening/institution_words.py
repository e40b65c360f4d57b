"""The common words of institution names, from other languages to the English lists use.

Lists mostly give an institution its English name ("Development Bank of the Republic of
Belarus"); a payment may carry the name in the institution's own language ("Банк
развития Республики Беларусь", "Банк развіцця Рэспублікі Беларусь"). The proper parts
("Belarus", "Sber", "Melli") romanise; only the common words need translating, and
token order is free anyway. So each common word gets its English reading as an
*alternative* of the romanised word (``normalise.NormalName.alternatives``): both are
looked up, neither replaces the other ("بانک ملی" is "Bank Melli" and "national bank").

Tables (written for this project from the languages' ordinary vocabulary):

- ``SLAVIC_STEMS``: Russian, Ukrainian and Belarusian stems; a word matches a stem when
  it starts with it and at most ``SLAVIC_ENDING_CHARS_MAX`` letters follow (inflection:
  "банк", "банка", "банком"; "республики", "рэспублікі").
- ``ARABIC_WORDS``: Arabic and Persian words, after the article "ال" (or "لل") is taken
  off and letters are folded (``fold_arabic``); Persian keheh and ye fold to Arabic.
- ``CHINESE_WORDS``: simplified and traditional words, found by longest match in a run of
  Han characters; the rest of the run is read character by character (pinyin by
  anyascii). ``CHINESE_LEGAL_FORMS`` are dropped like Latin legal forms.

An English reading of "" marks a legal form: the word is dropped (like "АО", "ООО").
"""

from __future__ import annotations

SLAVIC_ENDING_CHARS_MAX = 4

SLAVIC_STEMS: dict[str, str] = {
    # bank, central, national, people's
    "банк": "bank", "центральн": "central", "централн": "central",
    "цэнтральн": "central", "национальн": "national", "національн": "national",
    "нацыянальн": "national", "народн": "national",
    # development, reconstruction
    "развити": "development", "развіцц": "development", "розвитк": "development",
    "розвиток": "development", "реконструкц": "reconstruction",
    # state, federation, republic, union
    "федерац": "federation", "федэрацы": "federation", "республик": "republic",
    "республік": "republic", "рэспублік": "republic", "государствен": "state",
    "державн": "state", "дзяржаўн": "state", "союз": "union",
    # countries and cities most named by lists' institutions
    "российск": "russian", "россий": "russian", "расійск": "russian",
    "російськ": "russian", "росси": "russia", "беларус": "belarus",
    "белорусск": "belarusian", "украин": "ukraine", "україн": "ukraine",
    "московск": "moscow", "москв": "moscow", "крым": "crimea", "крим": "crimea",
    # economy and trade
    "внешнеэкономическ": "foreign", "экономическ": "economic", "коммерческ": "commercial",
    "комерційн": "commercial",
    "камерцыйн": "commercial", "инвестиционн": "investment", "инвестиц": "investment",
    "інвестиц": "investment", "сберегательн": "savings", "ощадн": "savings",
    "кредитн": "credit", "промышленн": "industrial", "промислов": "industrial",
    "прамысл": "industrial", "торгов": "trade", "международн": "international",
    "міжнародн": "international", "экспортн": "export",
    "экспорт": "export", "импортн": "import", "страхов": "insurance",
    "сельскохозяйственн": "agricultural", "агропромышленн": "agroindustrial",
    "нефтян": "oil", "нафтов": "oil", "газов": "gas", "энергетическ": "energy",
    "оборонн": "defence", "корпорац": "corporation", "корпарацы": "corporation",
    "компани": "company", "кампані": "company", "групп": "group", "холдинг": "holding",
    "фонд": "fund", "министерств": "ministry", "міністерств": "ministry",
    "концерн": "concern", "завод": "plant", "институт": "institute",
    # legal forms spelled out: dropped
    "акционерн": "", "акціонерн": "", "акцыянерн": "", "обществ": "", "товариств": "",
    "таварыств": "", "публичн": "", "публічн": "", "открыт": "", "закрыт": "",
    "ограниченн": "", "обмежен": "", "абмежаван": "", "ответственност": "",
    "відповідальніст": "", "адказнасц": "",
}  # fmt: skip
"""Russian, Ukrainian and Belarusian stem -> English reading ("" for a legal form)."""

ARABIC_WORDS: dict[str, str] = {
    # Arabic
    "بنك": "bank", "مصرف": "bank", "مركزي": "central", "وطني": "national",
    "وطنيه": "national", "اهلي": "national", "تنميه": "development",
    "انماء": "development", "جمهوريه": "republic", "اتحاد": "union",
    "اتحاديه": "federation", "دوله": "state", "عربي": "arab", "عربيه": "arab",
    "اسلامي": "islamic", "اسلاميه": "islamic", "تجاري": "commercial",
    "تجاريه": "commercial", "تجاره": "trade", "دولي": "international",
    "دوليه": "international", "صناعي": "industrial", "زراعي": "agricultural",
    "استثمار": "investment", "تمويل": "finance", "سوري": "syrian", "سوريه": "syria",
    "سوريا": "syria", "عراق": "iraq", "عراقي": "iraqi", "ايران": "iran",
    "ايراني": "iranian", "روسيا": "russia", "روسي": "russian", "ليبيا": "libya",
    "ليبي": "libyan", "شركه": "", "مساهمه": "", "محدوده": "", "مسووليه": "",
    # Persian
    "بانك": "bank", "ملي": "national", "جمهوري": "republic", "توسعه": "development",
    "صادرات": "export",
    "تجارت": "trade", "صنعت": "industry", "معدن": "mine", "سرمايه": "investment",
    "گذاري": "", "شركت": "", "سهامي": "", "خاص": "", "عام": "",
}  # fmt: skip
"""Arabic and Persian word (folded, no article) -> English reading ("" for a legal form)."""

CHINESE_WORDS: dict[str, str] = {
    "中国": "china", "中國": "china", "中華": "china", "中华": "china", "人民": "people",
    "银行": "bank", "銀行": "bank", "中央": "central", "国家": "national",
    "國家": "national", "国际": "international", "國際": "international",
    "开发": "development", "開發": "development", "发展": "development",
    "發展": "development", "共和国": "republic", "共和國": "republic",
    "联邦": "federation", "聯邦": "federation", "俄罗斯": "russia", "俄羅斯": "russia",
    "白俄罗斯": "belarus", "白俄羅斯": "belarus", "伊朗": "iran", "朝鲜": "korea",
    "朝鮮": "korea", "工商": "industrial commercial", "工业": "industrial",
    "工業": "industrial", "商业": "commercial", "商業": "commercial",
    "贸易": "trading", "貿易": "trading", "进出口": "import export",
    "進出口": "import export", "投资": "investment", "投資": "investment",
    "集团": "group", "集團": "group", "科技": "technology", "技术": "technology",
    "技術": "technology", "石油": "petroleum", "天然气": "gas", "天然氣": "gas",
    "航运": "shipping", "航運": "shipping", "电子": "electronics",
    "電子": "electronics", "控股": "holding", "农业": "agricultural",
    "農業": "agricultural", "建设": "construction", "建設": "construction",
    "物流": "logistics", "能源": "energy", "矿业": "mining", "礦業": "mining",
}  # fmt: skip
"""Chinese word (simplified or traditional) -> English reading."""

CHINESE_LEGAL_FORMS = frozenset(
    {"股份有限公司", "有限责任公司", "有限責任公司", "有限公司", "公司", "股份"}
)
"""Chinese legal forms (company limited by shares, limited company, company): dropped."""

CHINESE_WORD_CHARS_MAX = max(map(len, (*CHINESE_WORDS, *CHINESE_LEGAL_FORMS)))


def slavic_reading(word: str) -> str | None:
    """The English reading of a lower-case Cyrillic word, or None if not a common word."""
    for end in range(len(word), max(len(word) - SLAVIC_ENDING_CHARS_MAX, 2) - 1, -1):
        reading = SLAVIC_STEMS.get(word[:end])
        if reading is not None:
            return reading
    return None


def arabic_reading(folded: str) -> str | None:
    """The English reading of a folded Arabic-script word (article already removed)."""
    return ARABIC_WORDS.get(folded)
