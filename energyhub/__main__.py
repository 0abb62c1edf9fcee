"""``python -m energyhub`` runs the command-line interface."""

from energyhub.cli import main

if __name__ == "__main__":
    main()
