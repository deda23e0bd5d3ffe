# "28 de noviembre de 2026"; the short form keeps the US order the forms accept
# (MM/DD/YYYY), since the people reading it live in California.
DATE_FORMAT = r"j \d\e F \d\e Y"
SHORT_DATE_FORMAT = "m/d/Y"
