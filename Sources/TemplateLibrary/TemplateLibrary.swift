import CustomUI
