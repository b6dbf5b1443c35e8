"""Requirements of part 07's exercises, each in the words a learner reads in the task."""

REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "07.1": (
        "a pydantic-settings v2 class: model_config = SettingsConfigDict(...), not the v1 class Config",
        "each field read from its PIPELINE_ variable",
        "the environment's strings converted to the field types (db_port and batch_size are int)",
        "defaults: db_port 5432, batch_size 10000, log_level INFO",
        "a missing required variable fails at construction, naming the variable",
        "the environment overrides .env, and .env fills the rest",
        "arguments to the constructor win over the environment and .env",
        "reads .env from the working directory by default",
        "ignores other tools' keys in .env",
        "db_password and api_key are SecretStr: never shown in repr, str or a JSON dump",
        "batch_size greater than 0",
        "log_level one of DEBUG, INFO, WARNING, ERROR, CRITICAL",
        "validation errors never show the values they were given",
    ),
    "07.2": (
        "postgresql://<user>:<password>@<db_host>:<db_port>/<db_name>",
        "host, port and database taken from the config",
        "the password percent-encoded: @, : and / in it leave host, port and database intact",
        "the user percent-encoded too",
        "user and password decode back exactly (a space is not a +)",
        "the real password from get_secret_value(), not the SecretStr mask",
    ),
    "07.3": (
        "returns the secret's JSON object as a dict",
        "a missing secret raises ConfigurationError naming the secret",
        "raise ... from exc keeps botocore's error in the traceback",
        "any other AWS error propagates as it is",
        "a secret that is not a JSON object raises ConfigurationError naming it",
        "never puts the secret's value in a message",
    ),
}
