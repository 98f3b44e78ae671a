""""Show me the code": the gradnote script, PyTorch style or Keras style, for a playground setting.

Both scripts are complete programs: they make the same data, build the same network (layers,
initialisation, batch norm, dropout), train it with the same optimiser, regularisation, decay and
clipping, and print the train and test loss; ``EPOCHS`` at the top says how long.

>>> "nn.Linear(2, 4)" in pytorch_script(Settings())
True
"""

from __future__ import annotations

from .settings import Settings

EPOCHS = 100
_TORCH_ACT = {"step": "nn.Step()", "sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()", "relu": "nn.ReLU()",
              "leaky_relu": "nn.LeakyReLU()", "gelu": "nn.GELU()"}
_KERAS_ACT = {"step": "F.step", "sigmoid": '"sigmoid"', "tanh": '"tanh"', "relu": '"relu"',
              "leaky_relu": '"leaky_relu"', "gelu": '"gelu"'}
# PyTorch's optimiser defaults, spelled out in the Keras script where Keras's differ
_TORCH_OPT = {"sgd": "gn.optim.SGD(model.parameters(), lr={lr})",
              "momentum": "gn.optim.SGD(model.parameters(), lr={lr}, momentum=0.9)",
              "adagrad": "gn.optim.Adagrad(model.parameters(), lr={lr})",
              "rmsprop": "gn.optim.RMSprop(model.parameters(), lr={lr})",
              "adam": "gn.optim.Adam(model.parameters(), lr={lr})",
              "adamw": "gn.optim.AdamW(model.parameters(), lr={lr})"}
_KERAS_OPT = {"sgd": "SGD(learning_rate={lr}{extra})", "momentum": "SGD(learning_rate={lr}, momentum=0.9{extra})",
              "adagrad": "Adagrad(learning_rate={lr}, epsilon=1e-10{extra})",
              "rmsprop": "RMSprop(learning_rate={lr}, rho=0.99, epsilon=1e-8{extra})",
              "adam": "Adam(learning_rate={lr}, epsilon=1e-8{extra})",
              "adamw": "AdamW(learning_rate={lr}, weight_decay=0.01, epsilon=1e-8{extra})"}


def _summary(s: Settings) -> str:
    return (f"{s.dataset} (noise {s.noise:g}, {s.train_fraction:.0%} train), features {', '.join(s.features)}, "
            f"hidden {s.hidden}, {s.activation}, {s.init} init, {s.optimizer} lr {s.learning_rate:g}")


def _data(s: Settings) -> str:
    return f'''from gradnote.playground.datasets import features, make_dataset, split

FEATURES = {s.features!r}
EPOCHS = {EPOCHS}
BATCH_SIZE = {s.batch_size if s.batch_size else "None  # the whole training set: batch gradient descent"}

x, y = make_dataset({s.dataset!r}, n={s.n}, noise={s.noise!r}, seed={s.seed})
x_train, y_train, x_test, y_test = split(x, y, train_fraction={s.train_fraction!r})
x_train, x_test = features(x_train, FEATURES), features(x_test, FEATURES)
y_train, y_test = y_train[:, None], y_test[:, None]
BATCH_SIZE = BATCH_SIZE or len(x_train)
'''


def pytorch_script(s: Settings) -> str:
    """A PyTorch-style gradnote script (nn.Sequential, an explicit training loop) for setting `s`."""
    width, layers = len(s.features), []
    for units in s.hidden:
        block = [f"nn.Linear({width}, {units})"] + ([f"nn.BatchNorm1d({units})"] if s.batch_norm else [])
        block += [_TORCH_ACT[s.activation]] + ([f"nn.Dropout({s.dropout!r})"] if s.dropout else [])
        layers.append(", ".join(block) + ",")
        width = units
    layers.append(f"nn.Linear({width}, 1),")
    init = ('nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")' if s.init == "he"
            else "nn.init.xavier_uniform_(m.weight)")
    loss = "nn.MSELoss()" if s.task == "regression" else "nn.BCEWithLogitsLoss()  # the model outputs a logit"
    lines = [f'"""gradnote playground, PyTorch style: {_summary(s)}."""', "import gradnote as gn",
             "import gradnote.nn as nn", "from gradnote.data import DataLoader, TensorDataset", _data(s),
             f"gn.manual_seed({s.seed})", "model = nn.Sequential(", *(f"    {line}" for line in layers), ")",
             "for m in model:", "    if isinstance(m, nn.Linear):", f"        {init}", "        nn.init.zeros_(m.bias)",
             f"loss_fn = {loss}", f"optimizer = {_TORCH_OPT[s.optimizer].format(lr=repr(s.learning_rate))}"]
    if s.lr_decay:
        lines.append(f"scheduler = gn.optim.lr_scheduler.InverseTimeDecay(optimizer, decay={s.lr_decay!r})  # per batch")
    lines += ["loader = DataLoader(TensorDataset(gn.tensor(x_train), gn.tensor(y_train)), batch_size=BATCH_SIZE, "
              "shuffle=True)", "", "for epoch in range(EPOCHS):", "    model.train()", "    for xb, yb in loader:",
              "        loss = loss_fn(model(xb), yb)"]
    if s.regularization != "none" and s.regularization_rate:
        lines += ["        weights = [m.weight for m in model if isinstance(m, nn.Linear)]",
                  f"        loss = loss + {s.regularization_rate!r} * nn.{s.regularization}_penalty(weights)"]
    lines += ["        optimizer.zero_grad()", "        loss.backward()"]
    if s.clip_norm:
        lines.append(f"        nn.utils.clip_grad_norm_(model.parameters(), max_norm={s.clip_norm!r})")
    lines.append("        optimizer.step()")
    if s.lr_decay:
        lines.append("        scheduler.step()")
    lines += ["    model.eval()", "    with gn.no_grad():",
              "        train_loss = loss_fn(model(gn.tensor(x_train)), gn.tensor(y_train)).item()",
              "        test_loss = loss_fn(model(gn.tensor(x_test)), gn.tensor(y_test)).item()",
              "    if (epoch + 1) % 10 == 0 or epoch + 1 == EPOCHS:",
              '        print(f"epoch {epoch + 1}: train loss {train_loss:.4f}, test loss {test_loss:.4f}")', ""]
    return "\n".join(lines)


def keras_script(s: Settings) -> str:
    """A Keras-style gradnote script (keras.Sequential, compile, fit) for setting `s`."""
    init = '"he_uniform"' if s.init == "he" else '"glorot_uniform"'
    layers = [f"keras.Input(shape=({len(s.features)},)),"]
    for units in s.hidden:
        if s.batch_norm:  # normalise before the activation, as the PyTorch-style script does
            layers += [f"keras.layers.Dense({units}, kernel_initializer={init}),",
                       "keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5),",
                       f"keras.layers.Activation({_KERAS_ACT[s.activation]}),"]
        else:
            layers.append(f"keras.layers.Dense({units}, activation={_KERAS_ACT[s.activation]}, "
                          f"kernel_initializer={init}),")
        if s.dropout:
            layers.append(f"keras.layers.Dropout({s.dropout!r}),")
    classify = s.task == "classification"
    layers.append(f'keras.layers.Dense(1{", activation=" + chr(34) + "sigmoid" + chr(34) if classify else ""}, '
                  f"kernel_initializer={init}),")
    extra = (f", decay={s.lr_decay!r}" if s.lr_decay else "") + (f", clipnorm={s.clip_norm!r}" if s.clip_norm else "")
    opt = _KERAS_OPT[s.optimizer].format(lr=repr(s.learning_rate), extra=extra)
    base = "BinaryCrossentropy" if classify else "MeanSquaredError"
    imports = ["import gradnote as gn"] + (["import gradnote.functional as F"] if s.activation == "step" else [])
    lines = [f'"""gradnote playground, Keras style: {_summary(s)}."""', *imports, "from gradnote import keras",
             _data(s), f"keras.utils.set_random_seed({s.seed})", "model = keras.Sequential([",
             *(f"    {line}" for line in layers), "])"]
    if s.regularization != "none" and s.regularization_rate:
        lines += ["", "", f"class Regularized(keras.losses.{base}):",
                  f'    """The loss plus keras.regularizers.{s.regularization.upper()}({s.regularization_rate!r}) '
                  'on every Dense kernel."""', "",
                  "    def __call__(self, y_true, y_pred, sample_weight=None):",
                  "        kernels = [layer.weight for layer in model.layers if isinstance(layer, keras.layers.Dense)]",
                  "        return (super().__call__(y_true, y_pred, sample_weight)",
                  f"                + {s.regularization_rate!r} * gn.nn.{s.regularization}_penalty(kernels))", "", ""]
        loss = "Regularized()"
    else:
        loss = f"keras.losses.{base}()"
    lines += [f"model.compile(optimizer=keras.optimizers.{opt}, loss={loss})",
              "history = model.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=EPOCHS, "
              "validation_data=(x_test, y_test), verbose=0)",
              'print(f"epoch {EPOCHS}: train loss {history.history[\'loss\'][-1]:.4f}, '
              'test loss {history.history[\'val_loss\'][-1]:.4f}")', ""]
    return "\n".join(lines)
