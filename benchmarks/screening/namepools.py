"""Name material for the evaluation set and the speed benchmark: common words only.

Every listed name built from these pools is invented (common given names and surnames put
together at random); none is taken from a sanctions list. Russian and Greek names are
written in their own script and romanised by ``romanisers``; Arabic names carry the
Latin spellings found in practice, the first being the one lists use most.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


RU_GIVEN_MALE = _words(
    "Игорь Иван Сергей Алексей Дмитрий Андрей Владимир Михаил Николай Юрий Евгений"
    " Александр Виктор Олег Павел Пётр Фёдор Аркадий Геннадий Вячеслав Борис Григорий"
    " Константин Максим Роман Тимур Кирилл Леонид Анатолий Валерий Василий Денис Илья"
    " Артём Станислав Вадим Ярослав Эдуард Герман Семён"
)
RU_GIVEN_FEMALE = _words(
    "Ольга Татьяна Наталья Елена Мария Анна Ирина Светлана Юлия Екатерина Людмила Галина"
    " Ксения Дарья Вера Жанна Юлиана Алла Зоя Яна"
)
RU_PATRONYMICS = _words(
    "Иванович Сергеевич Алексеевич Дмитриевич Андреевич Владимирович Михайлович Николаевич"
    " Юрьевич Евгеньевич Александрович Викторович Олегович Павлович Петрович Фёдорович"
    " Борисович Григорьевич Константинович Анатольевич Васильевич Леонидович Игоревич"
    " Геннадьевич Аркадьевич Вячеславович Романович Максимович Ильич Семёнович"
)
RU_SURNAMES = _words(
    "Иванов Петров Кузнецов Смирнов Попов Соколов Лебедев Козлов Новиков Морозов Волков"
    " Соловьёв Васильев Зайцев Павлов Семёнов Голубев Виноградов Богданов Воробьёв Фёдоров"
    " Михайлов Беляев Тарасов Белов Комаров Орлов Киселёв Макаров Андреев Ковалёв Ильин"
    " Гусев Титов Кузьмин Кудрявцев Баранов Куликов Алексеев Степанов Яковлев Сорокин"
    " Сергеев Романов Захаров Борисов Королёв Герасимов Пономарёв Григорьев Лазарев"
    " Ершов Никитин Соболев Рябов Поляков Цветков Данилов Жуков Фролов Журавлёв Николаев"
    " Крылов Максимов Осипов Белоусов Федотов Дорофеев Егоров Матвеев Бобров Дмитриев"
    " Калинин Анисимов Петухов Антонов Тимофеев Никифоров Веселов Филиппов Марков"
    " Большаков Суханов Миронов Ширяев Александров Коновалов Шестаков Казаков Ефимов"
    " Денисов Громов Фомин Давыдов Мельников Щербаков Блинов Колесников Карпов Афанасьев"
    " Власов Маслов Исаков Тихонов Аксёнов Гаврилов Родионов Котов Горбунов Кудряшов Быков"
    " Зуев Третьяков Савельев Панов Рыбаков Суворов Абрамов Воронов Мухин Архипов Трофимов"
    " Мартынов Емельянов Горшков Чернов Овчинников Селезнёв Панфилов Копылов Михеев Галкин"
    " Назаров Лобанов Лукин Беляков Потапов Некрасов Хохлов Жданов Наумов Шилов Воронцов"
    " Ермаков Дроздов Игнатьев Савин Логинов Сафонов Капустин Кириллов Моисеев Елисеев"
    " Кошелев Костин Орехов Ефремов Исаев Евдокимов Калашников Кабанов Носков Юдин Кулагин"
    " Лапин Прохоров Нестеров Харитонов Агафонов Муравьёв Ларионов Федосеев Зимин Пахомов"
    " Шубин Игнатов Филатов Крюков Рогов Кулаков Терентьев Молчанов Артемьев Гурьев"
    " Зиновьев Гришин Кононов Дементьев Ситников Симонов Мишин Фадеев Комиссаров Мамонтов"
    " Гуляев Шаров Устинов Вишняков Евсеев Лаврентьев Брагин Корнилов Авдеев Зыков Бирюков"
    " Шарапов Никонов Щукин Дьячков Одинцов Сазонов Якушев Красильников Гордеев Самойлов"
    " Князев Беспалов Уваров Шашков Доронин Рожков Самсонов Мясников Лихачёв Буров Сысоев"
    " Русаков Стрелков Гущин Тетерин Колобов Субботин Фокин Блохин Пестов Кондратьев"
    " Силин Меркушев Лыткин Хабибуллин Чернышёв Щеглов Юсупов Эльдаров Цыганов Чистяков"
)
RU_STEMS = _words(
    "нефть газ пром строй транс энерго инвест металл урал сиб волга север агро хим маш"
    " тех авиа телеком мос нева вектор титан кристалл океан балт кама амур алтай восток"
    " импорт экспорт снаб сервис лизинг капитал уголь лес рыба зерно сталь медь никель"
    " флот порт тяж электро радио гидро геологи буров ком союз нац реги"
)
RU_GENERIC = ("банк", "групп", "холдинг", "трейдинг", "финанс", "инжиниринг")
RU_GENERIC_LATIN = {
    "банк": "Bank", "групп": "Group", "холдинг": "Holding", "трейдинг": "Trading",
    "финанс": "Finance", "инжиниринг": "Engineering",
}  # fmt: skip
RU_LEGAL_FORMS = {
    "ПАО": ("PAO", "PJSC", "Public Joint Stock Company"),
    "АО": ("AO", "JSC", "Joint Stock Company"),
    "ООО": ("OOO", "LLC", "Limited Liability Company"),
    "ЗАО": ("ZAO", "CJSC", "Closed Joint Stock Company"),
    "ОАО": ("OAO", "OJSC", "Open Joint Stock Company"),
}

EL_GIVEN = _words(
    "Γεώργιος Ιωάννης Κωνσταντίνος Δημήτριος Νικόλαος Παναγιώτης Βασίλειος Χρήστος"
    " Αθανάσιος Μιχαήλ Ευάγγελος Σπυρίδων Αντώνιος Αναστάσιος Θεόδωρος Ανδρέας Χαράλαμπος"
    " Αλέξανδρος Εμμανουήλ Ηλίας Σταύρος Πέτρος Σωτήριος Στυλιανός Ελευθέριος Απόστολος"
    " Φώτιος Διονύσιος Γρηγόριος Θεοφάνης Ευστάθιος Κυριάκος Λάμπρος Μάρκος Ξενοφών"
)
EL_SURNAMES = _words(
    "Παπαδόπουλος Παπαγεωργίου Οικονόμου Γεωργίου Παπαδημητρίου Νικολάου Ιωάννου Βασιλείου"
    " Μακρής Αλεξίου Κωνσταντίνου Πετρόπουλος Αθανασίου Μιχαηλίδης Δημητρίου Ευαγγέλου"
    " Αντωνίου Καραγιάννης Χριστοδούλου Παππάς Σταυρόπουλος Αναστασίου Θεοδωρίδης"
    " Κυριακίδης Ζαχαρίου Μαυρίδης Λαμπρόπουλος Ντόκος Μπαλτάς Γκίκας Τσακαλίδης"
    " Ξανθόπουλος Ψαλτόπουλος Χατζηδάκης Ρούσσος Φραγκιαδάκης Βλάχος Κουτσούκος"
    " Μπουρλάκης Σγουρός Αγγελόπουλος Τζαννετάκης Ευθυμίου Λιάπης Δούκας Κεφαλάς"
    " Πανταζής Καλογεράκης Μπενάκης Ντελής Γιαννόπουλος Χρυσοχόος Ευστρατίου Μαυρογένης"
)
EL_SHIPPING_WORDS = _words(
    "Poseidon Aegean Olympia Kalypso Thalassa Nereus Triton Delos Kythira Ithaca Naxos"
    " Argonaut Pegasus Meltemi Halkida Patmos Astra Zephyros Elafonisos Santorini"
)

AR_GIVEN: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("محمد", ("Muhammad", "Mohammed", "Mohamed", "Mohammad")),
    ("أحمد", ("Ahmad", "Ahmed")),
    ("علي", ("Ali", "Aly")),
    ("حسن", ("Hasan", "Hassan")),
    ("حسين", ("Husayn", "Hussein", "Hussain", "Husain")),
    ("عمر", ("Umar", "Omar")),
    ("خالد", ("Khalid", "Khaled")),
    ("يوسف", ("Yusuf", "Youssef", "Yousef")),
    ("إبراهيم", ("Ibrahim", "Ebrahim")),
    ("عبد الله", ("Abdullah", "Abdallah", "Abd Allah")),
    ("عبد الرحمن", ("Abd al-Rahman", "Abdul Rahman", "Abdelrahman")),
    ("سعيد", ("Said", "Saeed", "Saied")),
    ("ناصر", ("Nasser", "Nasir", "Naser")),
    ("طارق", ("Tariq", "Tarek", "Tarik")),
    ("جمال", ("Jamal", "Gamal")),
    ("مصطفى", ("Mustafa", "Moustafa", "Mostafa")),
    ("سالم", ("Salim", "Salem")),
    ("فهد", ("Fahd", "Fahad")),
    ("ماجد", ("Majid", "Majed")),
    ("وليد", ("Walid", "Waleed")),
    ("كريم", ("Karim", "Kareem")),
    ("رشيد", ("Rashid", "Rasheed")),
    ("زياد", ("Ziad", "Ziyad")),
    ("عادل", ("Adil", "Adel")),
    ("هشام", ("Hisham", "Hesham")),
    ("فيصل", ("Faisal", "Faysal")),
    ("منصور", ("Mansur", "Mansour")),
    ("نبيل", ("Nabil", "Nabeel")),
    ("عماد", ("Imad", "Emad")),
    ("بلال", ("Bilal", "Belal")),
    ("حمزة", ("Hamza", "Hamzah")),
    ("إسماعيل", ("Ismail", "Ismael")),
    ("أسامة", ("Usama", "Osama", "Oussama")),
    ("سليمان", ("Sulayman", "Suleiman", "Sulaiman")),
    ("عثمان", ("Uthman", "Othman", "Osman")),
    ("يونس", ("Yunus", "Younis", "Younes")),
    ("جابر", ("Jabir", "Jaber")),
    ("صالح", ("Salih", "Saleh")),
    ("منير", ("Munir", "Mounir")),
    ("رياض", ("Riyad", "Riad")),
)
AR_FAMILY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("الحسيني", ("al-Husayni", "al-Husseini", "El Husseini")),
    ("القاسم", ("al-Qasim", "Al Kassem", "al-Qassem")),
    ("الزهراني", ("al-Zahrani", "Al Zahrani", "Alzahrani")),
    ("العتيبي", ("al-Utaybi", "al-Otaibi", "Al Oteibi")),
    ("الشمري", ("al-Shammari", "Al Shamari", "Alshammari")),
    ("المصري", ("al-Masri", "El Masry", "Al Misri")),
    ("الخطيب", ("al-Khatib", "El Khatib", "Al Khateeb")),
    ("حداد", ("Haddad", "Hadad")),
    ("الجبوري", ("al-Juburi", "al-Jubouri", "Al Jabouri")),
    ("التميمي", ("al-Tamimi", "Al Tamimi", "Altamimi")),
    ("الحربي", ("al-Harbi", "Al Harby")),
    ("الغامدي", ("al-Ghamdi", "Al Ghamedi")),
    ("السعدي", ("al-Saadi", "Al Sadi")),
    ("البغدادي", ("al-Baghdadi", "Al Bagdadi")),
    ("الكبيسي", ("al-Kubaysi", "Al Kubaisi")),
    ("العبيدي", ("al-Ubaydi", "al-Obaidi", "Al Obeidi")),
    ("الخوري", ("al-Khuri", "el-Khoury", "Al Khouri")),
    ("درويش", ("Darwish", "Darweesh")),
    ("قاسم", ("Qasim", "Kassem", "Qassem")),
    ("حمدان", ("Hamdan", "Hamdane")),
    ("عباس", ("Abbas", "Abas")),
    ("كنعان", ("Kanaan", "Kanan")),
    ("شريف", ("Sharif", "Cherif", "Shareef")),
    ("عوض", ("Awad", "Awadh")),
    ("الراوي", ("al-Rawi", "Al Rawi")),
    ("الدوري", ("al-Duri", "al-Douri")),
    ("النعيمي", ("al-Nuaymi", "Al Nuaimi", "al-Naimi")),
    ("الكعبي", ("al-Kaabi", "Al Kaabi")),
    ("الفلاحي", ("al-Falahi", "Al Falahy")),
    ("المهيري", ("al-Muhairi", "Al Mheiri")),
    ("الشامسي", ("al-Shamsi", "Al Shamsy")),
    ("القحطاني", ("al-Qahtani", "Al Kahtani", "Al Qahtany")),
    ("الدوسري", ("al-Dawsari", "Al Dosari", "al-Dossary")),
    ("العنزي", ("al-Anazi", "Al Enezi", "al-Anizi")),
)
AR_ENTITY_WORDS = _words(
    "Noor Rashid Salam Amal Hilal Nakheel Waha Fajr Bayan Majd Sahel Rayan Jazeera Nahda"
    " Khaleej Reem Yasmin Barakah Zamzam Qamar Thuraya Murjan Lulu Sidra"
)

WEST_GIVEN = _words(
    "John Michael David James Robert Peter Thomas Hans Klaus Jürgen Pierre Jean François"
    " Luis José Carlos Giovanni Marco Anna Maria Sophie Claire Elena Ingrid Henrik Lars"
    " Stefan Andrzej Tomasz Miklós Dragan Zoran Goran Aleksandar Ivica Luca Matteo Paolo"
)
WEST_SURNAMES = _words(
    "Smith Miller Johnson Brown Müller Schmidt Schneider Fischer Weber Wagner Becker"
    " Dubois Lefèvre Moreau Laurent García Fernández López Martínez Rossi Bianchi Ferrari"
    " Esposito Romano Colombo Novak Kowalski Nowak Wiśniewski Horváth Nagy Andersson"
    " Johansson Nielsen Hansen Jovanović Petrović Nikolić Marković Kovačević Popescu"
    " Ionescu Dimitrov Georgiev Janssen Bakker Visser O'Brien Gallagher Okonkwo"
)
WEST_ENTITY_WORDS = _words(
    "Northwind Kestrel Bluewater Silverline Greystone Redcliff Harbourview Oakridge Ironbridge"
    " Seabright Westmark Eastgate Clearwater Highfield Stonebridge Goldcrest Blackrock"
    " Fairhaven Riverbend Summit Meridian Beacon Falcon Osprey Pinnacle Horizon Atlas Vanguard"
    " Crescent Trident Albatross Cormorant Marlin Zephyr Sterling Caspian Baltic Andean"
)
WEST_GENERIC = _words(
    "Shipping Trading Logistics Capital Holdings Resources Energy Marine Commodities"
    " Industries Technologies Ventures Investments Group Partners Freight Metals Petroleum"
)
WEST_LEGAL_FORMS = (
    ("Ltd", "Limited"), ("LLC", "L.L.C."), ("GmbH",), ("S.A.", "SA"), ("Inc", "Inc."),
    ("PLC", "P.L.C."), ("AG",), ("B.V.", "BV"), ("FZE",), ("Corp", "Corporation"),
)  # fmt: skip

SHORT_ENTITY_NAMES = _words(
    "VTK RMB NKT SGB AKB TNK KDB BMK ZNK RTB PKB UBK MDB GTK SNB FKB DSK VBK LTB TSB"
)
"""Three-letter acronym names (near misses of them are a classic false-alert source)."""
