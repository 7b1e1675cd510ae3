"""Per-language grammar for ShapesWorld captions in the nine AltDiffusion-m9 languages.

Each language object turns structured content into text:

* ``item(colour, shape, count)``: a counted noun phrase ("two red circles", "deux cercles rouges");
* ``join(items)``: a list with the language's conjunction;
* ``relation(a, rel, b)``: "a red circle is to the left of a blue square" (a, b = (colour, shape));
* ``intro(name, colour, shape)``, ``action(subject, action)``: story sentences;
* ``moving(colour, shape, direction)``: a clip phrase ("a red circle moving left").

Agreement is handled explicitly: grammatical gender in es/fr/it/ru/ar, Russian numeral
government (2-4 genitive singular, 5+ genitive plural) and prepositional cases, Arabic dual,
plural and reversed-gender numerals 3-6, Korean particles chosen by the final consonant.
Everything is deterministic; the paraphrase templates live in ``captions.py``.
"""

LANGUAGES = ("en", "zh", "es", "fr", "ru", "ja", "ko", "ar", "it")
RELATIONS = ("left", "right", "above", "below")
INVERSE_RELATION = {"left": "right", "right": "left", "above": "below", "below": "above"}
ACTIONS = ("move_left", "move_right", "move_up", "move_down", "grow", "shrink", "jump")
DIRECTIONS = ("left", "right", "up", "down")


def capitalise(text):
    return text[:1].upper() + text[1:]


class English:
    code = "en"
    colours = {c: c for c in ("red", "green", "blue", "yellow", "purple", "orange", "white")}
    shapes = {"circle": "circles", "square": "squares", "triangle": "triangles",
              "star": "stars", "hexagon": "hexagons"}
    numbers = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
    rel = {"left": "to the left of", "right": "to the right of", "above": "above", "below": "below"}
    pronoun = "it"
    verbs = {"move_left": "moves to the left", "move_right": "moves to the right",
             "move_up": "moves up", "move_down": "moves down", "grow": "grows bigger",
             "shrink": "shrinks", "jump": "jumps"}
    directions = {"left": "left", "right": "right", "up": "up", "down": "down"}
    inventory_templates = ("{list}", "an image of {list}", "{list} on a plain background",
                           "a picture showing {list}")
    intro_templates = ("{name} is {item}", "this is {name}, {item}")
    period = "."
    sentence_gap = " "  # between consecutive sentences

    def inventory(self, template_index, listing):
        """Paraphrase number ``template_index`` of an object inventory."""
        return self.inventory_templates[template_index].format(list=listing)

    def item(self, colour, shape, count=1):
        if count == 1:
            article = "an" if colour[0] in "aeiou" else "a"
            return f"{article} {colour} {shape}"
        return f"{self.numbers[count]} {colour} {self.shapes[shape]}"

    def join(self, items):
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

    def join_moving(self, phrases):
        """Join clip phrases ("a red circle moving left", ...)."""
        return self.join(phrases)

    def the(self, colour, shape):
        """Definite singular noun phrase ("the red circle")."""
        return f"the {colour} {shape}"

    def relation(self, a, rel, b, definite=False):
        """'a is <rel> b'; ``definite`` for objects already introduced (unique in the scene)."""
        if definite:
            return f"{self.the(*a)} is {self.rel[rel]} {self.the(*b)}"
        return f"{self.item(*a)} is {self.rel[rel]} {self.item(*b)}"

    def intro(self, template_index, name, colour, shape):
        """Paraphrase number ``template_index`` of a story's introduction of its protagonist."""
        return self.intro_templates[template_index].format(name=name, item=self.item(colour, shape))

    def action(self, subject, action):
        return f"{subject} {self.verbs[action]}"

    def moving(self, colour, shape, direction):
        return f"{self.item(colour, shape)} moving {self.directions[direction]}"


class Spanish(English):
    code = "es"
    # colour: (masc sg, fem sg, masc pl, fem pl)
    colours = {"red": ("rojo", "roja", "rojos", "rojas"), "green": ("verde", "verde", "verdes", "verdes"),
               "blue": ("azul", "azul", "azules", "azules"),
               "yellow": ("amarillo", "amarilla", "amarillos", "amarillas"),
               "purple": ("morado", "morada", "morados", "moradas"),
               "orange": ("naranja",) * 4, "white": ("blanco", "blanca", "blancos", "blancas")}
    # shape: (singular, plural, gender)
    nouns = {"circle": ("círculo", "círculos", "m"), "square": ("cuadrado", "cuadrados", "m"),
             "triangle": ("triángulo", "triángulos", "m"), "star": ("estrella", "estrellas", "f"),
             "hexagon": ("hexágono", "hexágonos", "m")}
    numbers = {2: "dos", 3: "tres", 4: "cuatro", 5: "cinco", 6: "seis"}
    articles = {"m": "un", "f": "una"}
    conjunction = "y"
    rel = {"left": "está a la izquierda de", "right": "está a la derecha de",
           "above": "está encima de", "below": "está debajo de"}
    pronoun = "él"
    verbs = {"move_left": "se mueve a la izquierda", "move_right": "se mueve a la derecha",
             "move_up": "sube", "move_down": "baja", "grow": "crece", "shrink": "se encoge",
             "jump": "salta"}
    directions = {"left": "moviéndose hacia la izquierda", "right": "moviéndose hacia la derecha",
                  "up": "moviéndose hacia arriba", "down": "moviéndose hacia abajo"}
    inventory_templates = ("{list}", "una imagen de {list}", "{list} sobre un fondo liso",
                           "una imagen con {list}")
    intro_templates = ("{name} es {item}", "este es {name}, {item}")

    def item(self, colour, shape, count=1):
        singular, plural, gender = self.nouns[shape]
        forms = self.colours[colour]
        if count == 1:
            return f"{self.articles[gender]} {singular} {forms[0 if gender == 'm' else 1]}"
        return f"{self.numbers[count]} {plural} {forms[2 if gender == 'm' else 3]}"

    def join(self, items):
        if len(items) == 1:
            return items[0]
        return ", ".join(items[:-1]) + f" {self.conjunction} " + items[-1]

    definite_articles = {"m": "el", "f": "la"}

    def the(self, colour, shape):
        singular, _, gender = self.nouns[shape]
        adjective = self.colours[colour][0 if gender == "m" else 1]
        return f"{self.definite_articles[gender]} {singular} {adjective}"

    def relation(self, a, rel, b, definite=False):
        if not definite:
            return f"{self.item(*a)} {self.rel[rel]} {self.item(*b)}"
        return f"{self.the(*a)} {self.rel[rel]} {self.the(*b)}".replace(" de el ", " del ")

    def moving(self, colour, shape, direction):
        return f"{self.item(colour, shape)} {self.directions[direction]}"


class French(Spanish):
    code = "fr"
    colours = {"red": ("rouge", "rouge", "rouges", "rouges"), "green": ("vert", "verte", "verts", "vertes"),
               "blue": ("bleu", "bleue", "bleus", "bleues"),
               "yellow": ("jaune", "jaune", "jaunes", "jaunes"),
               "purple": ("violet", "violette", "violets", "violettes"),
               "orange": ("orange",) * 4, "white": ("blanc", "blanche", "blancs", "blanches")}
    nouns = {"circle": ("cercle", "cercles", "m"), "square": ("carré", "carrés", "m"),
             "triangle": ("triangle", "triangles", "m"), "star": ("étoile", "étoiles", "f"),
             "hexagon": ("hexagone", "hexagones", "m")}
    numbers = {2: "deux", 3: "trois", 4: "quatre", 5: "cinq", 6: "six"}
    articles = {"m": "un", "f": "une"}
    conjunction = "et"
    # "de" + "un/une" elides to "d'un/d'une"
    rel = {"left": "est à gauche de", "right": "est à droite de",
           "above": "est au-dessus de", "below": "est en dessous de"}
    pronoun = "il"
    verbs = {"move_left": "se déplace vers la gauche", "move_right": "se déplace vers la droite",
             "move_up": "monte", "move_down": "descend", "grow": "grandit", "shrink": "rétrécit",
             "jump": "saute"}
    directions = {"left": "qui se déplace vers la gauche", "right": "qui se déplace vers la droite",
                  "up": "qui se déplace vers le haut", "down": "qui se déplace vers le bas"}
    inventory_templates = ("{list}", "une image avec {list}", "{list} sur un fond uni",
                           "il y a {list}")
    intro_templates = ("{name} est {item}", "voici {name}, {item}")

    def the(self, colour, shape):
        singular, _, gender = self.nouns[shape]
        adjective = self.colours[colour][0 if gender == "m" else 1]
        article = "l'" if singular[0] in "aeiouéh" else ("le " if gender == "m" else "la ")
        return f"{article}{singular} {adjective}"

    def relation(self, a, rel, b, definite=False):
        preposition = self.rel[rel][:-3]  # without the final " de"
        if not definite:  # "de un/une" elides to "d'un/d'une"
            return f"{self.item(*a)} {preposition} d'{self.item(*b)}"
        target = self.the(*b)
        if target.startswith("le "):
            target = "du " + target[3:]  # de + le
        else:
            target = "de " + target
        return f"{self.the(*a)} {preposition} {target}"


class Italian(Spanish):
    code = "it"
    colours = {"red": ("rosso", "rossa", "rossi", "rosse"), "green": ("verde", "verde", "verdi", "verdi"),
               "blue": ("blu",) * 4, "yellow": ("giallo", "gialla", "gialli", "gialle"),
               "purple": ("viola",) * 4,
               "orange": ("arancione", "arancione", "arancioni", "arancioni"),
               "white": ("bianco", "bianca", "bianchi", "bianche")}
    nouns = {"circle": ("cerchio", "cerchi", "m"), "square": ("quadrato", "quadrati", "m"),
             "triangle": ("triangolo", "triangoli", "m"), "star": ("stella", "stelle", "f"),
             "hexagon": ("esagono", "esagoni", "m")}
    numbers = {2: "due", 3: "tre", 4: "quattro", 5: "cinque", 6: "sei"}
    articles = {"m": "un", "f": "una"}
    conjunction = "e"
    rel = {"left": "è a sinistra di", "right": "è a destra di", "above": "è sopra", "below": "è sotto"}
    pronoun = "lui"
    verbs = {"move_left": "si sposta a sinistra", "move_right": "si sposta a destra",
             "move_up": "sale", "move_down": "scende", "grow": "cresce",
             "shrink": "si rimpicciolisce", "jump": "salta"}
    directions = {"left": "che si muove verso sinistra", "right": "che si muove verso destra",
                  "up": "che si muove verso l'alto", "down": "che si muove verso il basso"}
    inventory_templates = ("{list}", "un'immagine con {list}", "{list} su uno sfondo uniforme",
                           "una scena con {list}")
    intro_templates = ("{name} è {item}", "ecco {name}, {item}")

    def the(self, colour, shape):
        singular, _, gender = self.nouns[shape]
        adjective = self.colours[colour][0 if gender == "m" else 1]
        article = "l'" if singular[0] in "aeiou" else ("il " if gender == "m" else "la ")
        return f"{article}{singular} {adjective}"

    def relation(self, a, rel, b, definite=False):
        if not definite:
            return f"{self.item(*a)} {self.rel[rel]} {self.item(*b)}"
        target = self.the(*b)
        if self.rel[rel].endswith(" di"):  # di + il/la/l' -> del/della/dell'
            merged = {"il ": "del ", "la ": "della ", "l'": "dell'"}
            for article, contraction in merged.items():
                if target.startswith(article):
                    return f"{self.the(*a)} {self.rel[rel][:-3]} {contraction}{target[len(article):]}"
        return f"{self.the(*a)} {self.rel[rel]} {target}"


class Russian(English):
    code = "ru"
    # colour: nom m, nom f, gen m, gen f, ins m, ins f, nom pl, gen pl
    colours = {
        "red": ("красный", "красная", "красного", "красной", "красным", "красной", "красные", "красных"),
        "green": ("зелёный", "зелёная", "зелёного", "зелёной", "зелёным", "зелёной", "зелёные", "зелёных"),
        "blue": ("синий", "синяя", "синего", "синей", "синим", "синей", "синие", "синих"),
        "yellow": ("жёлтый", "жёлтая", "жёлтого", "жёлтой", "жёлтым", "жёлтой", "жёлтые", "жёлтых"),
        "purple": ("фиолетовый", "фиолетовая", "фиолетового", "фиолетовой", "фиолетовым",
                   "фиолетовой", "фиолетовые", "фиолетовых"),
        "orange": ("оранжевый", "оранжевая", "оранжевого", "оранжевой", "оранжевым", "оранжевой",
                   "оранжевые", "оранжевых"),
        "white": ("белый", "белая", "белого", "белой", "белым", "белой", "белые", "белых"),
    }
    # shape: nom sg, gen sg, ins sg, gen pl, gender
    nouns = {"circle": ("круг", "круга", "кругом", "кругов", "m"),
             "square": ("квадрат", "квадрата", "квадратом", "квадратов", "m"),
             "triangle": ("треугольник", "треугольника", "треугольником", "треугольников", "m"),
             "star": ("звезда", "звезды", "звездой", "звёзд", "f"),
             "hexagon": ("шестиугольник", "шестиугольника", "шестиугольником", "шестиугольников", "m")}
    numbers = {2: ("два", "две"), 3: ("три", "три"), 4: ("четыре", "четыре"),
               5: ("пять", "пять"), 6: ("шесть", "шесть")}
    # preposition and the case it governs
    rel = {"left": ("слева от", "gen"), "right": ("справа от", "gen"),
           "above": ("над", "ins"), "below": ("под", "ins")}
    pronoun = "он"
    verbs = {"move_left": "двигается влево", "move_right": "двигается вправо",
             "move_up": "поднимается вверх", "move_down": "опускается вниз", "grow": "растёт",
             "shrink": "уменьшается", "jump": "прыгает"}
    directions = {"left": "влево", "right": "вправо", "up": "вверх", "down": "вниз"}
    inventory_templates = ("{list}", "на картинке {list}", "{list} на однотонном фоне",
                           "изображение: {list}")
    intro_templates = ("{name} — {item}", "это {name}, {item}")

    def item(self, colour, shape, count=1, case="nom"):
        nom, gen, ins, gen_pl, gender = self.nouns[shape]
        adj = self.colours[colour]
        f = gender == "f"
        if count == 1:
            if case == "nom":
                return f"{adj[1 if f else 0]} {nom}"
            if case == "gen":
                return f"{adj[3 if f else 2]} {gen}"
            return f"{adj[5 if f else 4]} {ins}"
        number = self.numbers[count][1 if f else 0]
        if count <= 4:  # 2-4: noun in genitive singular; adjective nom pl (fem) or gen pl (masc)
            return f"{number} {adj[6] if f else adj[7]} {gen}"
        return f"{number} {adj[7]} {gen_pl}"

    def join(self, items):
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " и " + items[-1]

    def relation(self, a, rel, b, definite=False):  # no articles
        preposition, case = self.rel[rel]
        return f"{self.item(*a)} {preposition} {self.item(*b, case=case)}"

    def join_moving(self, phrases):
        return phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + ", и " + phrases[-1]

    def moving(self, colour, shape, direction):
        participle = "движущаяся" if self.nouns[shape][4] == "f" else "движущийся"
        return f"{self.item(colour, shape)}, {participle} {self.directions[direction]}"


class Chinese(English):
    code = "zh"
    colours = {"red": "红色", "green": "绿色", "blue": "蓝色", "yellow": "黄色", "purple": "紫色",
               "orange": "橙色", "white": "白色"}
    nouns = {"circle": "圆形", "square": "正方形", "triangle": "三角形", "star": "星形",
             "hexagon": "六边形"}
    numbers = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五", 6: "六"}
    rel = {"left": "左边", "right": "右边", "above": "上方", "below": "下方"}
    pronoun = "它"
    verbs = {"move_left": "向左移动", "move_right": "向右移动", "move_up": "向上移动",
             "move_down": "向下移动", "grow": "变大了", "shrink": "变小了", "jump": "跳了起来"}
    directions = {"left": "向左", "right": "向右", "up": "向上", "down": "向下"}
    inventory_templates = ("{list}", "一张有{list}的图片", "纯色背景上有{list}", "画面中有{list}")
    intro_templates = ("{name}是{item}", "这是{name}，{item}")
    period = "。"
    sentence_gap = ""

    def item(self, colour, shape, count=1):
        return f"{self.numbers[count]}个{self.colours[colour]}{self.nouns[shape]}"

    def bare(self, colour, shape):
        return f"{self.colours[colour]}{self.nouns[shape]}"

    def join(self, items):
        return items[0] if len(items) == 1 else "、".join(items[:-1]) + "和" + items[-1]

    def relation(self, a, rel, b, definite=False):  # no articles
        return f"{self.bare(*a)}在{self.bare(*b)}的{self.rel[rel]}"

    def action(self, subject, action):
        return f"{subject}{self.verbs[action]}"

    def moving(self, colour, shape, direction):
        return f"{self.item(colour, shape)}{self.directions[direction]}移动"

    def join_moving(self, phrases):
        return "，".join(phrases)  # clauses, not nouns: a comma rather than 和


class Japanese(English):
    code = "ja"
    colours = {"red": "赤い", "green": "緑の", "blue": "青い", "yellow": "黄色い", "purple": "紫の",
               "orange": "オレンジ色の", "white": "白い"}
    nouns = {"circle": "円", "square": "正方形", "triangle": "三角形", "star": "星", "hexagon": "六角形"}
    numbers = {2: "二つ", 3: "三つ", 4: "四つ", 5: "五つ", 6: "六つ"}
    rel = {"left": "左", "right": "右", "above": "上", "below": "下"}
    pronoun = "それ"
    verbs = {"move_left": "左に動きます", "move_right": "右に動きます", "move_up": "上に動きます",
             "move_down": "下に動きます", "grow": "大きくなります", "shrink": "小さくなります",
             "jump": "ジャンプします"}
    directions = {"left": "左に動く", "right": "右に動く", "up": "上に動く", "down": "下に動く"}
    inventory_templates = ("{list}", "{list}の画像", "無地の背景に描かれた{list}", "{list}が描かれた絵")
    intro_templates = ("{name}は{item}です", "こちらは{name}、{item}です")
    period = "。"
    sentence_gap = ""

    def item(self, colour, shape, count=1):
        phrase = f"{self.colours[colour]}{self.nouns[shape]}"
        return phrase if count == 1 else f"{self.numbers[count]}の{phrase}"

    def join(self, items):
        return items[0] if len(items) == 1 else "、".join(items[:-1]) + "と" + items[-1]

    def relation(self, a, rel, b, definite=False):  # no articles
        return f"{self.item(*a)}が{self.item(*b)}の{self.rel[rel]}にあります"

    def action(self, subject, action):
        return f"{subject}は{self.verbs[action]}"

    def moving(self, colour, shape, direction):
        return f"{self.directions[direction]}{self.item(colour, shape)}"


def has_final_consonant(word):
    """True when the last Hangul syllable of ``word`` ends in a consonant (batchim)."""
    last = word[-1]
    return 0xAC00 <= ord(last) <= 0xD7A3 and (ord(last) - 0xAC00) % 28 != 0


def particle(word, with_consonant, without_consonant):
    """Korean particle variant chosen by the preceding syllable (e.g. 이/가, 은/는, 과/와)."""
    return word + (with_consonant if has_final_consonant(word) else without_consonant)


class Korean(English):
    code = "ko"
    colours = {"red": "빨간", "green": "초록색", "blue": "파란", "yellow": "노란", "purple": "보라색",
               "orange": "주황색", "white": "흰"}
    nouns = {"circle": "원", "square": "정사각형", "triangle": "삼각형", "star": "별", "hexagon": "육각형"}
    numbers = {2: "두", 3: "세", 4: "네", 5: "다섯", 6: "여섯"}
    rel = {"left": "왼쪽에", "right": "오른쪽에", "above": "위에", "below": "아래에"}
    pronoun = "그것"
    verbs = {"move_left": "왼쪽으로 움직인다", "move_right": "오른쪽으로 움직인다",
             "move_up": "위로 움직인다", "move_down": "아래로 움직인다", "grow": "커진다",
             "shrink": "작아진다", "jump": "점프한다"}
    directions = {"left": "왼쪽으로", "right": "오른쪽으로", "up": "위로", "down": "아래로"}
    period = "."

    def item(self, colour, shape, count=1):
        phrase = f"{self.colours[colour]} {self.nouns[shape]}"
        return phrase if count == 1 else f"{phrase} {self.numbers[count]} 개"

    def join(self, items):
        if len(items) == 1:
            return items[0]
        if len(items) == 2:
            return f"{particle(items[0], '과', '와')} {items[1]}"
        return ", ".join(items[:-1]) + " 그리고 " + items[-1]

    def inventory(self, template_index, listing):
        templates = (lambda s: s, lambda s: f"{particle(s, '이', '가')} 있는 그림",
                     lambda s: f"단색 배경 위의 {s}", lambda s: f"{particle(s, '을', '를')} 보여 주는 이미지")
        return templates[template_index](listing)

    inventory_templates = (0, 1, 2, 3)  # Korean templates need particles: see inventory()
    intro_templates = (0, 1)

    def relation(self, a, rel, b, definite=False):  # no articles
        return f"{particle(self.item(*a), '은', '는')} {self.item(*b)}의 {self.rel[rel]} 있다"

    def intro(self, template_index, name, colour, shape):
        if template_index == 0:
            return f"{particle(name, '은', '는')} {self.item(colour, shape)}입니다"
        return f"이쪽은 {name}, {self.item(colour, shape)}입니다"

    def action(self, subject, action):
        return f"{particle(subject, '은', '는')} {self.verbs[action]}"

    def moving(self, colour, shape, direction):
        return f"{self.directions[direction]} 움직이는 {self.item(colour, shape)}"


class Arabic(English):
    code = "ar"
    # colour: masc sg, fem sg (also non-human plural), masc dual, fem dual
    colours = {"red": ("أحمر", "حمراء", "أحمران", "حمراوان"),
               "green": ("أخضر", "خضراء", "أخضران", "خضراوان"),
               "blue": ("أزرق", "زرقاء", "أزرقان", "زرقاوان"),
               "yellow": ("أصفر", "صفراء", "أصفران", "صفراوان"),
               "purple": ("بنفسجي", "بنفسجية", "بنفسجيان", "بنفسجيتان"),
               "orange": ("برتقالي", "برتقالية", "برتقاليان", "برتقاليتان"),
               "white": ("أبيض", "بيضاء", "أبيضان", "بيضاوان")}
    # shape: singular, dual, plural, gender
    nouns = {"circle": ("دائرة", "دائرتان", "دوائر", "f"), "square": ("مربع", "مربعان", "مربعات", "m"),
             "triangle": ("مثلث", "مثلثان", "مثلثات", "m"), "star": ("نجمة", "نجمتان", "نجمات", "f"),
             "hexagon": ("مسدس", "مسدسان", "مسدسات", "m")}
    # numerals 3-6 take the opposite gender of the counted noun: (for masc nouns, for fem nouns)
    numbers = {3: ("ثلاثة", "ثلاث"), 4: ("أربعة", "أربع"), 5: ("خمسة", "خمس"), 6: ("ستة", "ست")}
    rel = {"left": "على يسار", "right": "على يمين", "above": "فوق", "below": "تحت"}
    pronoun = "هو"
    verbs = {"move_left": "يتحرك إلى اليسار", "move_right": "يتحرك إلى اليمين",
             "move_up": "يصعد إلى الأعلى", "move_down": "ينزل إلى الأسفل", "grow": "يكبر",
             "shrink": "يصغر", "jump": "يقفز"}
    directions = {"left": "إلى اليسار", "right": "إلى اليمين", "up": "إلى الأعلى", "down": "إلى الأسفل"}
    inventory_templates = ("{list}", "صورة فيها {list}", "{list} على خلفية سادة", "في الصورة {list}")
    intro_templates = ("{name} {item}", "هذا {name}، {item}")
    period = "."

    def item(self, colour, shape, count=1):
        singular, dual, plural, gender = self.nouns[shape]
        adj = self.colours[colour]
        f = gender == "f"
        if count == 1:
            return f"{singular} {adj[1 if f else 0]}"
        if count == 2:
            return f"{dual} {adj[3 if f else 2]}"
        return f"{self.numbers[count][1 if f else 0]} {plural} {adj[1]}"

    def join(self, items):
        return " و".join(items)

    def the(self, colour, shape):
        """Definite noun phrase: the article al- on the noun and on the adjective."""
        singular, _, _, gender = self.nouns[shape]
        return f"ال{singular} ال{self.colours[colour][1 if gender == 'f' else 0]}"

    def relation(self, a, rel, b, definite=False):
        if definite:  # nominal sentence: definite subject, prepositional predicate
            return f"{self.the(*a)} {self.rel[rel]} {self.the(*b)}"
        verb = "توجد" if self.nouns[a[1]][3] == "f" else "يوجد"
        return f"{verb} {self.item(*a)} {self.rel[rel]} {self.item(*b)}"

    def moving(self, colour, shape, direction):
        verb = "تتحرك" if self.nouns[shape][3] == "f" else "يتحرك"
        return f"{self.item(colour, shape)} {verb} {self.directions[direction]}"


# Protagonist names for stories, written in each language's script.
NAMES = {
    "Kiki": {"zh": "琪琪", "ja": "キキ", "ko": "키키", "ru": "Кики", "ar": "كيكي"},
    "Bobo": {"zh": "波波", "ja": "ボボ", "ko": "보보", "ru": "Бобо", "ar": "بوبو"},
    "Momo": {"zh": "莫莫", "ja": "モモ", "ko": "모모", "ru": "Момо", "ar": "مومو"},
    "Lulu": {"zh": "露露", "ja": "ルル", "ko": "루루", "ru": "Лулу", "ar": "لولو"},
    "Pipo": {"zh": "皮波", "ja": "ピポ", "ko": "피포", "ru": "Пипо", "ar": "بيبو"},
    "Tata": {"zh": "塔塔", "ja": "タタ", "ko": "타타", "ru": "Тата", "ar": "تاتا"},
}


def localised_name(name, language):
    """A protagonist's name in a language's script (Latin-script languages keep it as is)."""
    return NAMES[name].get(language, name)


GRAMMARS = {g.code: g() for g in (English, Chinese, Spanish, French, Russian, Japanese, Korean,
                                  Arabic, Italian)}
assert tuple(sorted(GRAMMARS)) == tuple(sorted(LANGUAGES))


def grammar(language):
    """The grammar object for a language code (KeyError for unsupported languages)."""
    return GRAMMARS[language]
