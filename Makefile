# Two commands matter: `make run` (site on http://127.0.0.1:$(PORT) with demo
# content) and `make test` (everything the suite needs, then every test).
PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint format check-deploy clean messages

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.12 is needed (.python-version); install it with pyenv: pyenv install 3.12"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	bash scripts/compile_messages.sh
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py load_demo_content
# Alert links and canonical URLs name the port the site really runs on.
	SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.installed-dev
	bash scripts/test.sh

# The Spanish catalogue: new strings in, stale ones out (then translate the new ones).
messages: $(VENV)/.installed-dev
	bash scripts/make_messages.sh

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
