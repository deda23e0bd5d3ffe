"""Spanish demo content (issue 13): the Spanish version of every demo level of
care, service and plain page, and the Spanish role, biography and opening hours
that go with the team and the site facts.

Written in Spanish for Spanish-speaking families in Southern California
(usted, plain words, Mexican and Central American usage), adapted from the
English demo content in programs.demo_content rather than translated word for
word. Every fact stays what the English says: days, hours, lengths, ASAM
levels, the laws named in the privacy notice. The numbers, pictures, team and
clinical reviewer are copied from the English row itself, never typed twice.

Called at the end of programs.demo_content.load_demo_content(), once the
English rows exist. Like the English loader it only adds what is missing, so
an editor's Spanish changes stay; `reset=True` restores the demo text. This
module does not import programs.demo_content (imports form no circle:
tests/test_architecture.py), hence its own two small helpers below."""

from django.db.models import Q

from .demo_rows import faqs_replace, remember
from .models import (
    DRAFT_STATE_FIELDS,
    LevelOfCare,
    Page,
    Person,
    PublicationStatus,
    Service,
    SiteFacts,
)

SPANISH = "es"
ENGLISH = "en"

# SiteFacts.hours_es: shown after the home page's "call us" line, which adds the period.
HOURS_ES = "Admisiones contesta las 24 horas del día, los 7 días de la semana"

# (English slug, Spanish slug, name, description)
SERVICES_ES = [
    (
        "group-therapy",
        "terapia-de-grupo",
        "Terapia de grupo",
        "Grupos pequeños guiados por un terapeuta, donde las personas en recuperación practican nuevas "
        "habilidades y aprenden unas de otras.",
    ),
    (
        "individual-therapy",
        "terapia-individual",
        "Terapia individual",
        "Sesiones regulares a solas con su propio terapeuta, planeadas según sus metas.",
    ),
    (
        "family-therapy",
        "terapia-familiar",
        "Terapia familiar",
        "Sesiones que ayudan a sus seres más cercanos a entender la adicción, a recuperar la confianza y "
        "a darle apoyo en casa.",
    ),
    (
        "case-management",
        "manejo-de-casos",
        "Manejo de casos",
        "Ayuda práctica con el trabajo, la vivienda y los asuntos legales que pueden frenar la recuperación.",
    ),
    (
        "relapse-prevention",
        "prevencion-de-recaidas",
        "Prevención de recaídas",
        "Aprender a reconocer sus primeras señales de alerta y escribir un plan para los momentos en que "
        "sienta muy cerca las ganas de consumir.",
    ),
    (
        "life-skills",
        "habilidades-para-la-vida",
        "Habilidades para la vida",
        "Rutinas, manejo del dinero, comunicación y las demás habilidades de todos los días que hacen más "
        "fácil vivir por su cuenta sin consumir.",
    ),
    (
        "twelve-step-facilitation",
        "grupos-de-12-pasos",
        "Grupos de 12 pasos",
        "Le presentamos los grupos de 12 pasos, como Alcohólicos Anónimos (AA): cómo ir a las reuniones, "
        "buscar un padrino o una madrina y trabajar los pasos.",
    ),
    (
        "drug-testing",
        "pruebas-de-drogas-al-azar",
        "Pruebas de drogas al azar",
        "Pruebas sin previo aviso que refuerzan su compromiso y le dan un registro claro de su avance.",
    ),
    (
        "aftercare-planning",
        "plan-para-despues-del-tratamiento",
        "Plan para después del tratamiento",
        "Antes de terminar el programa, hacemos con usted un plan del apoyo con el que va a contar después.",
    ),
]

# Text only: the numbers (days, hours, ASAM level, order, living at home), the
# picture, the team and the reviewer come from the English row
# (STRUCTURE_FROM_ENGLISH). short_name stays the abbreviation Spanish speakers
# hear in US clinics; the templates show it after the name, "… (IOP)".
LEVELS_ES = [
    {
        "translation_of": "partial-hospitalization-program",
        "slug": "programa-de-hospitalizacion-parcial",
        "name": "Programa de Hospitalización Parcial",
        "short_name": "PHP",
        "seo_title": "Programa de Hospitalización Parcial (PHP) en Orange County",
        "seo_description": "Hospitalización parcial (PHP) en Orange County: días completos de tratamiento "
        "entre semana, con vivienda sobria. Orientación gratis y confidencial, 24/7.",
        "summary": "Nuestro programa con más estructura: un día completo de tratamiento entre semana, "
        "mientras usted vive en una vivienda con apoyo en lugar de su casa.",
        "typical_length": "Hasta que pueda pasar al IOP",
        "fit_summary": "Terminó la desintoxicación o un tratamiento residencial; necesita días completos "
        "con estructura",
        "who_it_fits": "Ya terminó la desintoxicación (detox), y quizás también un programa residencial\n"
        "Necesita un día completo de tratamiento, pero no supervisión las 24 horas\n"
        "Su casa todavía no es un lugar estable para recuperarse, o usted quiere tener estructura cerca",
        "benefits": "Un horario lleno cada día, que deja poco espacio para los viejos hábitos\n"
        "Contacto diario con un equipo de atención que puede cambiar su plan rápido cuando algo no está "
        "funcionando\n"
        "Tiempo para practicar todos los días nuevas formas de enfrentar los momentos difíciles, con apoyo "
        "ahí mismo\n"
        "Un siguiente paso ya planeado hacia el IOP, para que nunca deje el tratamiento de golpe",
        "image_alt": "Ilustración: una casa blanca con techo azul frente a un mar tranquilo y una playa de "
        "arena, bajo el sol de la mañana.",
        "body": "## Qué es el PHP\n\n"
        "El programa de hospitalización parcial es el tratamiento que más tiempo le pide de todos los que "
        "ofrecemos. Los días de tratamiento, usted pasa la mayor parte del día con nosotros, en sesiones "
        "individuales y en grupos de terapia. Por la noche no regresa a su casa: regresa a una "
        "vivienda con estructura, libre de drogas y alcohol.\n\n"
        "Aunque se llama “hospitalización”, nadie se queda a dormir en un hospital. Muchas veces es el "
        "primer paso después de la desintoxicación o de una estancia en un programa residencial. Usted ya "
        "no necesita que alguien esté pendiente de usted de día y de noche, pero todavía no está en "
        "condiciones de pasar la mayor parte de la semana por su cuenta. El PHP está pensado justo para ese "
        "momento.\n\n"
        "## Para qué son los días\n\n"
        "Se trabaja en lo mismo que en todos los niveles de atención: entender qué hay detrás del consumo, "
        "reconocer las situaciones que despiertan las ganas de consumir, y aprender a pasar los momentos "
        "difíciles sin drogas ni alcohol. Su terapeuta planea todo esto con usted, para que el horario se "
        "ajuste a lo que usted necesita y no a un molde.\n\n"
        "## Dónde vive\n\n"
        "Durante el PHP, usted vive fuera de su casa, en una vivienda con estructura, por ejemplo en una de "
        "nuestras casas de vida sobria supervisadas. Nuestro equipo de admisiones le explica todo antes de "
        "empezar, para que no haya sorpresas.\n\n"
        "## El paso al IOP\n\n"
        "El PHP no está pensado para durar mucho tiempo. Cuando usted y su equipo de atención están de "
        "acuerdo en que ya está estable, pasa a nuestro Programa Intensivo Ambulatorio (IOP). Sigue con "
        "buena parte de la misma terapia, pasa menos horas con nosotros, y vivir en su casa vuelve a ser "
        "una opción.",
        "faqs": [
            (
                "¿Puedo vivir en mi casa durante el PHP?",
                "No. En el PHP usted vive fuera de su casa mientras asiste al programa, en una vivienda con "
                "estructura, por ejemplo en una de nuestras casas de vida sobria supervisadas. Cuando pase "
                "al IOP, puede elegir volver a vivir en su casa.",
            ),
            (
                "¿Hay que terminar la desintoxicación antes del PHP?",
                "Sí. El PHP es para personas que ya terminaron la desintoxicación y no necesitan "
                "supervisión las 24 horas. Si usted o su ser querido todavía necesita desintoxicarse, llame "
                "a nuestro equipo de admisiones y juntos vemos por dónde empezar.",
            ),
            (
                "¿Qué pasa después del PHP?",
                "La mayoría de las personas pasan a nuestro Programa Intensivo Ambulatorio (IOP) cuando "
                "ellas y su equipo de atención están de acuerdo en que ya están listas. Cada semana pasan "
                "menos horas en tratamiento y retoman más de su vida diaria.",
            ),
        ],
    },
    {
        "translation_of": "intensive-outpatient-program",
        "slug": "programa-intensivo-ambulatorio",
        "name": "Programa Intensivo Ambulatorio",
        "short_name": "IOP",
        "seo_title": "Programa Intensivo Ambulatorio (IOP) en Orange County",
        "seo_description": "Tratamiento intensivo ambulatorio para la adicción en Orange County: terapia "
        "de 3 a 5 días por semana, varias horas al día, por lo general de 30 a 60 días.",
        "summary": "Varias horas de terapia de tres a cinco días por semana, para que pueda seguir "
        "trabajando, estudiando o cuidando a su familia mientras se recupera. La mayoría de las personas "
        "participan de 30 a 60 días.",
        "typical_length": "De 30 a 60 días",
        "fit_summary": "Terminó la desintoxicación; tiene un hogar estable o vive en una casa de vida sobria",
        "who_it_fits": "Ya pasó por la desintoxicación y no necesita supervisión las 24 horas\n"
        "Vive en un lugar estable y con apoyo, o piensa mudarse a una casa de vida sobria\n"
        "Terminó un tratamiento residencial o el PHP y quiere seguir con el siguiente paso de su tratamiento",
        "benefits": "Reconocer a las personas, los lugares y las situaciones que le despiertan las ganas "
        "de consumir\n"
        "Aprender nuevas maneras de manejar esas ganas, y reforzar las que ya le funcionan\n"
        "Comunicarse con más claridad, para que sus relaciones sean más sanas y estables\n"
        "Practicar esas conversaciones con sus compañeros, en un espacio seguro y guiado\n"
        "Tomar mejores decisiones en la vida diaria, grandes y pequeñas\n"
        "Encontrar formas sanas de manejar el estrés, el enojo, la soledad y la ansiedad\n"
        "Escuchar opiniones honestas de sus compañeros y aprender de lo que ellos han vivido\n"
        "Hacer amistad con otras personas en recuperación\n"
        "Conocer el apoyo que hay cerca de usted, como las reuniones de 12 pasos de su zona",
        "image_alt": "Ilustración: una casita junto a unas colinas verdes, con un camino de arena que "
        "lleva hacia ella.",
        "body": "## Qué es el IOP\n\n"
        "El programa intensivo ambulatorio es un tratamiento al que usted viene con un horario fijo: unas "
        "horas a la vez, de tres a cinco días por semana. El resto del tiempo es suyo. Duerme en su casa, va "
        "al trabajo o a la escuela, y cuida a las personas que dependen de usted. “Ambulatorio” quiere decir "
        "justamente eso: que no se queda a dormir en el centro.\n\n"
        "El IOP le pide más horas a la semana que la terapia ambulatoria común, y muchas menos que un "
        "programa de hospitalización parcial. Por ese equilibrio, es el siguiente paso natural para quienes "
        "salen del PHP y todavía quieren tener apoyo cerca.\n\n"
        "## Dónde está el IOP entre los niveles de atención\n\n"
        "El IOP está entre el PHP y la atención ambulatoria regular. Es el programa con más estructura en el "
        "que usted todavía puede vivir en su casa: durante la desintoxicación, el tratamiento residencial y "
        "el PHP, se vive en otro lugar. Recibe buena parte de la misma terapia que en el PHP, "
        "mientras su vida diaria sigue adelante.\n\n"
        "La mayoría de las personas empiezan el IOP después de terminar la desintoxicación y un programa "
        "residencial o el PHP.\n\n"
        "## Cómo es el tratamiento\n\n"
        "Usted se reúne con su propio terapeuta y con un grupo pequeño de terapia. Esas sesiones atienden su "
        "salud mental y le ayudan a reconocer lo que le despierta las ganas de consumir, a salir adelante en "
        "situaciones difíciles y a protegerse de una recaída. También tocan el lado práctico de la primera "
        "etapa de la recuperación, como encontrar trabajo, resolver problemas legales y aprender a vivir por "
        "su cuenta.\n\n"
        "Cada plan se hace a la medida de la persona. Aun en un programa ambulatorio, usted cuenta con el "
        "respaldo de un equipo con experiencia que conoce sus metas.\n\n"
        "## Un apoyo que dura más allá del programa\n\n"
        "Parte del IOP es formar una red de apoyo que usted pueda conservar. Le recomendamos unirse a un "
        "grupo de 12 pasos, como Alcohólicos Anónimos (AA), o a otra comunidad de recuperación. Eso puede "
        "significar ir a reuniones con regularidad, buscar un padrino o una madrina y trabajar los pasos.\n\n"
        "## Bajar el ritmo poco a poco\n\n"
        "El programa dura por lo general de 30 a 60 días. A medida que usted avanza, las sesiones se vuelven "
        "más cortas y menos frecuentes. Así pasa del tratamiento supervisado a una vida independiente y "
        "sobria paso a paso, y no de un día para otro.\n\n"
        "Mientras tanto, usted va probando en la vida real lo que ha aprendido, en el trabajo y en su casa. "
        "Cuando algo no sale como lo planeó, lo habla con su terapeuta y con su grupo esa misma semana, y "
        "juntos ven qué hacer diferente.\n\n"
        "## Vivir en una casa de vida sobria durante el IOP\n\n"
        "Usted puede vivir en su casa durante el IOP. Si quiere más estructura a su alrededor, o si por "
        "ahora su casa no es el lugar más fácil para mantenerse sin consumir, puede vivir en una de nuestras "
        "casas de vida sobria supervisadas. A algunas personas se les recomienda hacerlo, para tener un "
        "apoyo extra.",
        "faqs": [
            (
                "¿Cuántos días a la semana es el IOP?",
                "De tres a cinco días, varias horas cada día. Por lo general, el horario se vuelve más "
                "ligero a medida que usted avanza.",
            ),
            (
                "¿Cuánto dura el IOP?",
                "Por lo general, de 30 a 60 días. El tiempo depende de cómo avance y del plan que haga "
                "con su equipo de atención.",
            ),
            (
                "¿Puedo seguir trabajando durante el IOP?",
                "Sí. El IOP está pensado para que usted pueda seguir trabajando, estudiando o cuidando a su "
                "familia entre una sesión y otra.",
            ),
            (
                "¿El IOP es suficiente por sí solo?",
                "Para muchas personas, el IOP viene después de un nivel de atención más intensivo, no en "
                "lugar de él. Eso pasa sobre todo cuando el trastorno por uso de sustancias es grave, o "
                "cuando la adicción viene junto con otro problema de salud mental. Nuestro equipo de "
                "admisiones puede ayudarle a ver por dónde empezar.",
            ),
        ],
    },
    {
        "translation_of": "outpatient-program",
        "slug": "programa-ambulatorio",
        "name": "Programa Ambulatorio",
        "short_name": "OP",
        "seo_title": "Programa Ambulatorio (OP) en Orange County",
        "seo_description": "Tratamiento ambulatorio para la adicción en Orange County: una o dos sesiones "
        "de terapia por semana para mantener firme su recuperación en la vida diaria.",
        "summary": "Terapia regular uno o dos días por semana, para no perder el contacto con su "
        "tratamiento mientras retoma su vida diaria, por lo general después de terminar el IOP.",
        "typical_length": "Se decide con su terapeuta y se revisa en el camino",
        "fit_summary": "Su recuperación ya es estable; quiere seguir con apoyo",
        "who_it_fits": "Terminó un programa más intensivo, como el IOP\n"
        "Su recuperación se siente estable y su vida en casa la apoya\n"
        "Quiere tener citas regulares mientras vuelve a armar sus rutinas",
        "benefits": "Mantener el apoyo de su terapeuta mientras la vida vuelve a la normalidad\n"
        "Notar a tiempo las señales de alerta y poner al día su plan de prevención de recaídas\n"
        "Seguir en contacto con compañeros que entienden lo que usted está trabajando\n"
        "Un horario ligero que se acomoda al trabajo, la escuela y la familia",
        "image_alt": "Ilustración: un camino entre colinas verdes que lleva a una casa, con el sol bajo "
        "en el cielo.",
        "body": "## Qué es la atención ambulatoria\n\n"
        "El tratamiento ambulatorio es el nivel de atención más ligero que ofrecemos: por lo general, una o "
        "dos sesiones por semana. La mayoría de las personas llegan a él después del IOP, cuando ya pasan "
        "casi todo su tiempo de vuelta en su vida de siempre.\n\n"
        "## Para qué son las sesiones\n\n"
        "Las primeras semanas y los primeros meses después de un programa más intensivo traen nuevas "
        "presiones: volver al trabajo, a los lugares de antes, a las amistades de antes. Las sesiones "
        "ambulatorias le dan un espacio fijo para hablar de todo eso con un terapeuta y con sus compañeros, "
        "para notar a tiempo las señales de alerta y para mantener al día su plan de prevención de "
        "recaídas.\n\n"
        "Las sesiones familiares pueden ayudar a las personas con quienes usted vive a entender qué necesita "
        "de ellas la recuperación, y qué no.\n\n"
        "## Cómo planear lo que sigue\n\n"
        "Antes de terminar, usted y su terapeuta arman un plan para después del tratamiento: las reuniones, "
        "las personas y los hábitos en los que se va a apoyar de ahí en adelante. Si en algún momento siente "
        "que necesita más apoyo, su terapeuta puede hablar con usted sobre volver por un tiempo a un "
        "programa más intensivo.",
        "faqs": [
            (
                "¿En qué se diferencia la atención ambulatoria del IOP?",
                "Requiere muchas menos horas a la semana. La atención ambulatoria es para personas cuya "
                "recuperación ya es estable, por lo general después del IOP, y que quieren seguir en "
                "contacto regular con un terapeuta y con sus compañeros.",
            ),
            (
                "¿Puedo trabajar tiempo completo durante la atención ambulatoria?",
                "Sí. Con una o dos sesiones por semana, la atención ambulatoria está pensada para acomodarse "
                "a un trabajo de tiempo completo, a la escuela o a la vida familiar.",
            ),
            (
                "¿Qué pasa cuando termina la atención ambulatoria?",
                "Usted se va con un plan para después del tratamiento que escribió junto con su terapeuta. "
                "Y si más adelante necesita apoyo, siempre puede volver a llamarnos.",
            ),
        ],
    },
]

# Copied from the English level when the Spanish one is written: one set of
# facts, in both languages.
STRUCTURE_FROM_ENGLISH = (
    "asam_level",
    "order",
    "days_per_week_min",
    "days_per_week_max",
    "hours_per_day_min",
    "hours_per_day_max",
    "lives_at_home",
    "image",
    "hero_picture",
    "reviewed_by",
    "reviewed_on",
)

# Text only; `order` and `show_in_footer` come from the English page. A blank
# seo_title or menu_title is blank in English too (the title is used instead).
PAGES_ES = [
    {
        "translation_of": "about",
        "slug": "sobre-nosotros",
        "menu_title": "Sobre nosotros",
        "title": "Conozca Sheer Recovery",
        "seo_title": "Sobre nuestro centro de tratamiento para la adicción",
        "summary": "Un centro de tratamiento para la adicción en Orange County, California, con programas "
        "de hospitalización parcial, intensivo ambulatorio y ambulatorio.",
        "body": "## Quiénes somos\n\n"
        "Sheer Recovery ayuda a las personas a recuperarse de la adicción a las drogas y al alcohol. Estamos "
        "en Orange County, California, y vemos a cada persona como alguien único: su plan se arma según su "
        "historia, sus metas y la vida a la que va a regresar.\n\n"
        "## Cómo está organizada nuestra atención\n\n"
        "El tratamiento con nosotros avanza por etapas. Muchas personas empiezan en nuestro Programa de "
        "Hospitalización Parcial (PHP), siguen en nuestro Programa Intensivo Ambulatorio (IOP) y terminan "
        "con atención ambulatoria. En cada etapa pasan menos horas con nosotros, a medida que se sienten más "
        "fuertes. Algunas personas empiezan en una etapa más avanzada, según lo que necesiten.\n\n"
        "Junto con todos los programas, nuestras casas de vida sobria supervisadas ofrecen un lugar para "
        "vivir libre de drogas y alcohol a quien quiera más estructura durante su recuperación.\n\n"
        "## Hable con nosotros\n\n"
        "Nuestro equipo de admisiones contesta el teléfono de día y de noche. La llamada es gratis y "
        "confidencial, y usted no se compromete a nada. Si llama por un ser querido, con gusto hablamos con "
        "usted también.",
    },
    {
        "translation_of": "insurance",
        "slug": "seguro",
        "menu_title": "Seguro médico",
        "title": "El seguro médico y cómo pagar el tratamiento",
        "seo_title": "",
        "summary": "Cómo saber qué cubre su plan de seguro médico antes de tomar cualquier decisión sobre "
        "el tratamiento.",
        "body": "## Cómo revisar sus beneficios\n\n"
        "Muchos planes de seguro médico privado incluyen beneficios para el tratamiento de la adicción, pero "
        "cada plan es diferente. La forma más sencilla de saber qué cubre el suyo es dejar que nosotros lo "
        "revisemos por usted. Llene nuestro formulario para verificar el seguro o llámenos, y un "
        "coordinador de admisiones se comunicará con su aseguradora.\n\n"
        "## Lo que le vamos a pedir\n\n"
        "- El nombre de su compañía de seguro\n"
        "- Su número de miembro (member ID), tal como aparece en su tarjeta del seguro\n"
        "- El nombre y la fecha de nacimiento de la persona cubierta por el plan\n\n"
        "## Qué pasa después\n\n"
        "Su coordinador le devuelve la llamada y le explica, con palabras sencillas, qué cubre su plan y "
        "cuánto le podría tocar pagar a usted. Revisar no cuesta nada, y no es un compromiso de empezar un "
        "tratamiento.\n\n"
        "## Si no tiene seguro, o tiene dudas sobre su cobertura\n\n"
        "Llámenos de todos modos. Vamos a revisar las opciones con usted, con honestidad, y si no somos el "
        "lugar indicado, trataremos de recomendarle uno que sí lo sea.",
    },
    {
        "translation_of": "sober-living",
        "slug": "vivienda-sobria",
        "menu_title": "Vida sobria",
        "title": "Casas de vida sobria",
        "seo_title": "Casas de vida sobria supervisadas",
        "summary": "Casas supervisadas, libres de drogas y alcohol, para las personas de nuestros programas "
        "que quieren más estructura mientras se recuperan.",
        "body": "## Un lugar estable para vivir mientras se recupera\n\n"
        "Nuestras casas de vida sobria (en inglés, “sober living”) son casas compartidas, libres de drogas y "
        "alcohol, y supervisadas por nuestro equipo. Le dan un lugar tranquilo y con estructura a donde "
        "regresar al final de un día de tratamiento.\n\n"
        "## Para quién son\n\n"
        "- Personas en nuestro Programa de Hospitalización Parcial (PHP), que viven fuera de su casa "
        "mientras asisten al programa\n"
        "- Personas en el IOP o en atención ambulatoria cuya casa todavía no es un lugar estable para "
        "mantenerse sin consumir\n"
        "- Cualquier persona que simplemente quiera más estructura y compañía en la primera etapa de su "
        "recuperación\n\n"
        "A algunas personas en el IOP se les recomienda vivir en una casa de vida sobria para tener un apoyo "
        "extra, aunque podrían vivir en su casa.\n\n"
        "## Vivir con otras personas en recuperación\n\n"
        "Sus compañeros de casa están trabajando en lo mismo que usted. Las rutinas compartidas y las reglas "
        "de la casa, como mantenerse sin consumir y participar en el tratamiento, hacen más fácil seguir "
        "adelante en los días difíciles.\n\n"
        "## Pregúntenos\n\n"
        "Si quiere saber si una casa de vida sobria es buena opción para usted, o cómo se combina con su "
        "programa, llame a nuestro equipo de admisiones.",
    },
    {
        # A legal notice: every commitment of the English one, none added.
        "translation_of": "privacy",
        "slug": "privacidad",
        "menu_title": "",
        "title": "Aviso de privacidad",
        "seo_title": "",
        "summary": "Qué pasa con la información que usted comparte con Sheer Recovery, y cómo la mantenemos "
        "privada.",
        "body": "## Qué información recibimos\n\n"
        "Cuando usted nos llama o nos envía un formulario en este sitio web, recibimos lo que usted decide "
        "contarnos: por lo general, su nombre, cómo comunicarnos con usted y un poco sobre la ayuda que "
        "busca. Si nos pide revisar su seguro médico, también recibimos los datos de su plan.\n\n"
        "## Cómo la usamos\n\n"
        "Usamos su información solamente para responder a lo que nos pide y, si usted decide seguir "
        "adelante, para organizar su atención. Nunca la vendemos, y no la usamos para publicidad.\n\n"
        "## La protección de la ley\n\n"
        "La información sobre el tratamiento por uso de sustancias es información de salud, y la ley "
        "federal le da una protección especial (HIPAA y 42 CFR Part 2). En la mayoría de los casos no "
        "podemos compartirla, ni siquiera confirmar que usted se comunicó con nosotros, sin su "
        "consentimiento por escrito.\n\n"
        "## Este sitio web\n\n"
        "Este sitio web no usa rastreadores de publicidad, servicios de analítica ni complementos (plugins) "
        "de redes sociales, y no carga nada desde los servidores de otras compañías. Las páginas públicas no "
        "guardan cookies en su navegador.\n\n"
        "## Preguntas\n\n"
        "Si tiene preguntas sobre su información, o quiere una copia de nuestro Aviso de Prácticas de "
        "Privacidad (Notice of Privacy Practices), llame a nuestro equipo de admisiones.",
    },
    {
        "translation_of": "accessibility",
        "slug": "accesibilidad",
        "menu_title": "",
        "title": "Declaración de accesibilidad",
        "seo_title": "",
        "summary": "Nuestro compromiso con un sitio web que todos puedan usar, sin importar si usan un "
        "celular, una computadora o alguna tecnología de asistencia.",
        "body": "## Nuestra meta\n\n"
        "Cualquier persona que busque ayuda debe poder encontrarla aquí. Nuestra meta es cumplir con las "
        "Pautas de Accesibilidad para el Contenido Web (WCAG) 2.1, en el nivel AA.\n\n"
        "## Cómo hacemos el sitio\n\n"
        "- Cada página funciona en un celular, solo con el teclado y con un lector de pantalla\n"
        "- Las páginas funcionan con JavaScript desactivado\n"
        "- El texto y los botones tienen suficiente contraste para leerse con facilidad\n"
        "- Las imágenes que dan información tienen una descripción en texto\n\n"
        "## Avísenos si algo no funciona\n\n"
        "Si algo en este sitio es difícil de usar, por favor llámenos. Le ayudamos directamente con lo que "
        "vino a buscar, y arreglamos el problema.",
    },
    {
        "translation_of": "no-tracking",
        "slug": "sin-rastreo",
        "title": "Este sitio web no le envía nada a nadie más",
        "menu_title": "Sin rastreo",
        "seo_title": "Sin rastreo: este sitio no envía nada a terceros",
        "summary": "Sin píxeles de publicidad, sin analítica, sin ventanas de chat y sin tipos de letra de "
        "otras compañías: su visita queda entre usted y nosotros.",
        "body": "## Qué quiere decir\n\n"
        "Buscar tratamiento para la adicción es algo privado. Muchos sitios web les avisan a otras "
        "compañías, sin que usted se dé cuenta, qué páginas lee. Este no. Todo lo que ve en cada página, "
        "incluidos los textos, las imágenes, los estilos y los pocos programas pequeños (scripts), viene de "
        "nuestro propio servidor, y su navegador no se comunica con nadie más mientras usted está aquí.\n\n"
        "## Lo que no usamos\n\n"
        "- Ningún píxel de publicidad ni de redes sociales (como las etiquetas de Facebook o de Google Ads)\n"
        "- Ningún servicio de analítica (como Google Analytics)\n"
        "- Ninguna ventana de chat, ningún programa para rastrear llamadas y ningún video incrustado\n"
        "- Ningún tipo de letra, mapa o biblioteca de código cargado desde los servidores de otras "
        "compañías\n"
        "- Ninguna cookie en las páginas públicas\n\n"
        "## Cómo lo mantenemos así\n\n"
        "Nuestras pruebas automáticas abren cada página pública en un navegador real, y fallan si una página "
        "intenta comunicarse con cualquier otro sitio web. Además, nuestra configuración de seguridad le "
        "indica a su navegador que rechace todo lo que venga de otro sitio.\n\n"
        "## Lo que usted nos envía\n\n"
        "Cuando llena uno de nuestros formularios, sus respuestas nos llegan solamente a nosotros, por una "
        "conexión cifrada, y se guardan cifradas. Nuestro aviso de privacidad explica qué hacemos con ellas.",
    },
    {
        "translation_of": "licensing",
        "slug": "licencias",
        "menu_title": "",
        "title": "Licencias y acreditación",
        "seo_title": "Licencias estatales y acreditación",
        "summary": "El Estado de California otorga la licencia a los programas de tratamiento de Sheer "
        "Recovery. Aquí le explicamos cómo verificar cada licencia por su cuenta.",
        "body": "## Con licencia del Estado de California\n\n"
        "El Departamento de Servicios de Atención Médica de California (DHCS, por sus siglas en inglés) "
        "otorga las licencias y certificaciones a los programas de tratamiento de adicciones en el estado. "
        "Abajo aparecen nuestras licencias vigentes, cada una con su número, la fecha hasta la que es válida "
        "y un enlace para verificarla en el sitio web del estado.\n\n"
        "## Acreditación\n\n"
        "La acreditación es una revisión que hace una organización independiente de cómo se maneja un "
        "centro de tratamiento. Nuestras acreditaciones aparecen al pie de cada página, con enlaces para "
        "confirmarlas.",
    },
]

# Person.role_es and Person.bio_es, by slug. Placeholder clinicians, like the
# English ones. Spanish job titles carry a gender: Dana's is not known, so
# that role is worded without one.
TEAM_ES = {
    "dana-whitfield": (
        "Responsable de la dirección médica",
        "Supervisa la atención médica en todos los programas, desde la primera evaluación hasta las "
        "decisiones sobre medicamentos. Tiene la certificación de especialista en medicina de las "
        "adicciones.",
    ),
    "marisol-ortega": (
        "Directora clínica",
        "Dirige al equipo de terapia y planea con cada persona su tratamiento. Trabaja muy de cerca con las "
        "familias, que muchas veces son parte de la recuperación.",
    ),
    "kevin-tran": (
        "Terapeuta principal del IOP",
        "Da sesiones individuales y grupos de prevención de recaídas en el Programa Intensivo Ambulatorio, y "
        "ayuda con el lado práctico de volver al trabajo.",
    ),
    "renee-caldwell": (
        "Consejera en uso de sustancias",
        "Dirige los grupos de 12 pasos y de habilidades para la vida, y ayuda a cada persona a armar su plan "
        "para después del tratamiento antes de terminar.",
    ),
}

_NO_DRAFT = dict.fromkeys(DRAFT_STATE_FIELDS)


def _english(model, slug, name=None):
    lookup = Q(slug=slug) | Q(name=name) if name else Q(slug=slug)
    return model.objects.filter(lookup, language=ENGLISH).first()


def _spanish(model, english, slug, name=None):
    """The Spanish row for `english`: linked to it, or with the demo slug or name."""
    lookup = Q(translation_of=english) | Q(slug=slug)
    if name:
        lookup |= Q(name=name)
    return model.objects.filter(lookup, language=SPANISH).first()


def _write(obj, values):
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save()
    return obj


def _ensure_site_hours(reset):
    facts = SiteFacts.load()
    if facts is not None and (reset or not facts.hours_es) and facts.hours_es != HOURS_ES:
        facts.hours_es = HOURS_ES
        facts.save()
        remember(facts)


def _ensure_team(reset):
    """role_es and bio_es, each only where empty unless reset: an editor's stays."""
    for person in Person.objects.filter(slug__in=list(TEAM_ES)):
        role, bio = TEAM_ES[person.slug]
        changed = False
        for field, text in (("role_es", role), ("bio_es", bio)):
            if (reset or not getattr(person, field)) and getattr(person, field) != text:
                setattr(person, field, text)
                changed = True
        if changed:
            person.save()
            remember(person)


def _ensure_services(reset) -> dict:
    """English service id -> its Spanish version."""
    spanish_for = {}
    for english_slug, slug, name, description in SERVICES_ES:
        english = Service.objects.filter(slug=english_slug, language=ENGLISH).first()
        if english is None:
            continue
        service = _spanish(Service, english, slug, name)
        values = {
            "slug": slug,
            "name": name,
            "description": description,
            "order": english.order,
            "language": SPANISH,
            "translation_of": english,
        }
        if service is None:
            service = Service.objects.create(**values)
            remember(service)
        elif reset:
            remember(_write(service, values))
        spanish_for[english.pk] = service
    return spanish_for


def _ensure_level(data, services, reset):
    data = dict(data)
    faqs = data.pop("faqs")
    english = _english(LevelOfCare, data.pop("translation_of"))
    if english is None:
        return
    level = _spanish(LevelOfCare, english, data["slug"], data["name"])
    if level is not None and not reset:
        return
    values = {
        **data,
        **{name: getattr(english, name) for name in STRUCTURE_FROM_ENGLISH},
        "language": SPANISH,
        "translation_of": english,
        "status": PublicationStatus.PUBLISHED,
        **_NO_DRAFT,
    }
    level = _write(level or LevelOfCare(), values)
    # The Spanish version of each service the English program offers.
    level.services.set([services[s.pk] for s in english.services.all() if s.pk in services])
    level.team.set(english.team.all())
    faqs_replace(level, faqs)
    remember(level)


def _ensure_page(data, reset):
    data = dict(data)
    english = _english(Page, data.pop("translation_of"))
    if english is None:
        return
    page = _spanish(Page, english, data["slug"])
    if page is not None and not reset:
        return
    values = {
        **data,
        "order": english.order,
        "show_in_footer": english.show_in_footer,
        "language": SPANISH,
        "translation_of": english,
        "status": PublicationStatus.PUBLISHED,
        **_NO_DRAFT,
    }
    remember(_write(page or Page(), values))


def load_spanish_demo_content(*, reset=False):
    """Add the Spanish demo rows that are missing, linked to their English
    originals (which must exist: call after the English demo content). With
    reset, restore the demo text, publish it and drop any draft."""
    _ensure_site_hours(reset)
    _ensure_team(reset)
    services = _ensure_services(reset)
    for data in LEVELS_ES:
        _ensure_level(data, services, reset)
    for data in PAGES_ES:
        _ensure_page(data, reset)
