from certdesk_tui.cli import main

main()
