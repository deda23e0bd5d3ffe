# Dates written out in full ("November 28, 2026"), as the site always showed them.
DATE_FORMAT = "F j, Y"
SHORT_DATE_FORMAT = "m/d/Y"
