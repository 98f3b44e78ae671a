"""torch.hub: loading code and weights from GitHub needs the network and runs downloaded code; gradnote does
neither, so each call raises and says what to do instead."""

from __future__ import annotations

_INSTEAD = ("gradnote does not download or run hub code; build the model from gradnote.models (or your own "
            "nn.Module) and load weights you saved with gn.load(path)")


def load(repo_or_dir, model, *args, **kwargs):
    raise NotImplementedError(f"hub.load({repo_or_dir!r}, {model!r}): {_INSTEAD}")


def list(github, force_reload: bool = False, **kwargs):  # noqa: A001 - torch's name
    raise NotImplementedError(f"hub.list({github!r}): {_INSTEAD}")


def help(github, model, force_reload: bool = False, **kwargs):  # noqa: A001
    raise NotImplementedError(f"hub.help({github!r}, {model!r}): {_INSTEAD}")


def load_state_dict_from_url(url, *args, **kwargs):
    raise NotImplementedError(f"hub.load_state_dict_from_url({url!r}): gradnote does not download files; fetch the "
                              "file yourself and load it with gn.load(path)")


def get_dir() -> str:
    raise NotImplementedError(f"hub.get_dir: {_INSTEAD}")
