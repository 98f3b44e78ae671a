"""Lesson 01 exercises: what deep learning is."""

import numpy as np

FIELDS = {
    "computer vision": ["image classification", "object detection", "face recognition", "image generation",
                        "self-driving"],
    "natural language processing": ["machine translation", "sentiment analysis", "chatbot", "speech recognition"],
    "reinforcement learning": ["game playing", "robot control"],
}
FIELDS_KO = {"컴퓨터 비전": ["이미지 분류", "객체 탐지", "얼굴 인식", "이미지 생성", "자율주행"],
             "자연어 처리": ["기계 번역", "감정 분석", "챗봇", "음성 인식"],
             "강화학습": ["게임", "로봇 제어"]}


def is_overfitting(train_acc: float, test_acc: float, gap: float = 0.1) -> bool:
    """True when the model explains its training data much better than new data."""
    return train_acc - test_acc > gap


def field_of(task: str) -> str:
    """The field (computer vision, NLP, reinforcement learning) a task belongs to, in the task's language."""
    for fields in (FIELDS, FIELDS_KO):
        for field, tasks in fields.items():
            if task in tasks:
                return field
    raise KeyError(f"field_of: unknown task {task!r}")


def class_counts(labels) -> dict:
    """How many examples of each class: {class: count}."""
    values, counts = np.unique(np.asarray(labels), return_counts=True)
    return {int(v): int(c) for v, c in zip(values, counts)}
